import type { Connection } from '../adapters/adapter.js';
import { META_SCHEMA } from '../core/constants.js';
import { ensureStateTable, forgetStateRowsWhere, readStateRowsWhere, stateTable, writeStateRows, type StateRow } from '../adapters/state-table.js';

/**
 * Every version of a node that was built (or that reuses another version's table): its fingerprint, the physical table
 * holding its data (`relation`, quoted; `table_fingerprint` names it), and what a later plan compares against.
 * `used_at` is stamped each time an environment is promoted with it: the janitor's retention counts from there.
 */
export const VERSIONS = stateTable({
  name: 'versions',
  columns: {
    relation: { type: 'text' },
    fingerprint: { type: 'text' },
    unique_id: { type: 'text' },
    table_fingerprint: { type: 'text' },
    materialization: { type: 'text' },
    /** The node's own logic (SQL normal form and config), without its parents'. */
    logic: { type: 'text' },
    compiled_sql: { type: 'text', nullable: true },
    /** JSON: the output column names, in order. */
    columns: { type: 'text', nullable: true },
    /** JSON: parent unique id → the fingerprint this version was computed from. */
    parents: { type: 'text' },
    /** JSON: the physical relations (quoted) a view version reads, which must outlive it. */
    depends_on: { type: 'text' },
    /** A microbatch model's backfill limits (`--start`/`--end`), null for a complete table. */
    event_time_start: { type: 'timestamptz', nullable: true },
    event_time_end: { type: 'timestamptz', nullable: true },
  },
  key: ['fingerprint'],
  stamp: 'used_at',
});

/** Each environment's view of each node (`relation`, quoted) and the version it points at. */
export const ENVIRONMENT_VIEWS = stateTable({
  name: 'environment_views',
  columns: {
    relation: { type: 'text' },
    environment: { type: 'text' },
    unique_id: { type: 'text' },
    fingerprint: { type: 'text' },
  },
  key: ['environment', 'unique_id'],
  stamp: 'promoted_at',
});

export type VersionRow = StateRow<typeof VERSIONS.columns> & { used_at: Date };
export type EnvironmentViewRow = StateRow<typeof ENVIRONMENT_VIEWS.columns> & { promoted_at: Date };

export async function ensureEnvironmentState(connection: Connection): Promise<void> {
  await ensureStateTable(connection, VERSIONS);
  await ensureStateTable(connection, ENVIRONMENT_VIEWS);
}

/** The versions of these fingerprints (all versions when undefined), by fingerprint. */
export async function readVersions(connection: Connection, fingerprints?: readonly string[]): Promise<Map<string, VersionRow>> {
  const rows = await readStateRowsWhere(connection, VERSIONS, 'fingerprint', fingerprints);
  return new Map(rows.map((row) => [row.fingerprint, row]));
}

/** An environment's views by node unique id (every environment's when `env` is undefined). */
export async function readEnvironmentViews(connection: Connection, env?: string): Promise<EnvironmentViewRow[]> {
  return readStateRowsWhere(connection, ENVIRONMENT_VIEWS, 'environment', env === undefined ? undefined : [env]);
}

/** The version an environment's view of a node shows: its fingerprint and physical table (quoted). */
export interface EnvironmentVersion {
  fingerprint: string;
  /** Absent only if the version's record is gone (the janitor never drops a version an environment shows). */
  table?: string;
}

/**
 * What each of an environment's views shows, by node unique id; empty before any plan. Only reads (the state tables
 * are not created), so a reader such as `docs generate` needs no right to write.
 */
export async function readEnvironmentVersions(connection: Connection, env: string): Promise<Map<string, EnvironmentVersion>> {
  const tables = new Set((await connection.introspector.listRelations([META_SCHEMA])).map((relation) => relation.identifier));
  if (!tables.has(ENVIRONMENT_VIEWS.name) || !tables.has(VERSIONS.name)) return new Map();
  const views = await readEnvironmentViews(connection, env);
  const versions = await readVersions(connection, views.map((view) => view.fingerprint));
  return new Map(views.map((view) => [view.unique_id, { fingerprint: view.fingerprint, table: versions.get(view.fingerprint)?.relation }]));
}

export async function writeVersions(connection: Connection, rows: Array<StateRow<typeof VERSIONS.columns>>): Promise<void> {
  await writeStateRows(connection, VERSIONS, rows);
}

export async function writeEnvironmentViews(connection: Connection, rows: Array<StateRow<typeof ENVIRONMENT_VIEWS.columns>>): Promise<void> {
  await writeStateRows(connection, ENVIRONMENT_VIEWS, rows);
}

/** Forgets an environment's views of these nodes (all of its views when `uniqueIds` is undefined). */
export async function forgetEnvironmentViews(connection: Connection, env: string, uniqueIds?: readonly string[]): Promise<void> {
  const rows = (await readEnvironmentViews(connection, env)).filter((row) => uniqueIds === undefined || uniqueIds.includes(row.unique_id));
  await forgetStateRowsWhere(connection, ENVIRONMENT_VIEWS, 'relation', rows.map((row) => row.relation));
}

export async function forgetVersions(connection: Connection, fingerprints: readonly string[]): Promise<void> {
  await forgetStateRowsWhere(connection, VERSIONS, 'fingerprint', fingerprints);
}
