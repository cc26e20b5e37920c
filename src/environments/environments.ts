import { inTransaction, type Adapter } from '../adapters/adapter.js';
import { parseQuotedRelation } from '../adapters/sql.js';
import type { VirtualEnvironmentSettings } from '../config/project.js';
import { didYouMean, TsdbtError } from '../core/errors.js';
import { dropSchemaIfEmpty, readEnvironmentState, underLock, type LockSchemas } from './housekeeping.js';
import { forgetEnvironmentViews, type EnvironmentViewRow, type VersionRow } from './state.js';

export interface EnvironmentSummary {
  name: string;
  views: number;
  lastPromoted: Date;
  isDefault: boolean;
  /** The schemas its views are in. */
  schemas: string[];
}

/** Every environment that has views, the default first, then by name. */
export function summarizeEnvironments(views: readonly EnvironmentViewRow[], defaultEnvironment: string): EnvironmentSummary[] {
  const byName = new Map<string, EnvironmentViewRow[]>();
  for (const view of views) (byName.get(view.environment) ?? byName.set(view.environment, []).get(view.environment)!).push(view);
  return [...byName]
    .map(([name, rows]) => ({
      name,
      views: rows.length,
      lastPromoted: new Date(Math.max(...rows.map((row) => row.promoted_at.getTime()))),
      isDefault: name === defaultEnvironment,
      schemas: viewSchemas(rows),
    }))
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
}

function viewSchemas(rows: readonly EnvironmentViewRow[]): string[] {
  return [...new Set(rows.flatMap((row) => parseQuotedRelation(row.relation)?.schema ?? []))].sort();
}

/** A node's version in an environment: its fingerprint and physical table (quoted; undefined if no version records it). */
export interface NodeVersion {
  fingerprint: string;
  physical: string | undefined;
}

export interface EnvironmentDiff {
  onlyInA: Array<{ uniqueId: string } & NodeVersion>;
  onlyInB: Array<{ uniqueId: string } & NodeVersion>;
  different: Array<{ uniqueId: string; a: NodeVersion; b: NodeVersion }>;
}

/** The nodes environment `a` has and `b` has not, the reverse, and those on different versions, each by unique id. */
export function diffEnvironments(a: readonly EnvironmentViewRow[], b: readonly EnvironmentViewRow[], versions: readonly VersionRow[]): EnvironmentDiff {
  const physical = new Map(versions.map((version) => [version.fingerprint, version.relation]));
  const versionOf = (row: EnvironmentViewRow): NodeVersion => ({ fingerprint: row.fingerprint, physical: physical.get(row.fingerprint) });
  const byId = (rows: readonly EnvironmentViewRow[]) => new Map([...rows].sort((x, y) => x.unique_id.localeCompare(y.unique_id)).map((row) => [row.unique_id, row]));
  const inA = byId(a);
  const inB = byId(b);
  return {
    onlyInA: [...inA.values()].filter((row) => !inB.has(row.unique_id)).map((row) => ({ uniqueId: row.unique_id, ...versionOf(row) })),
    onlyInB: [...inB.values()].filter((row) => !inA.has(row.unique_id)).map((row) => ({ uniqueId: row.unique_id, ...versionOf(row) })),
    different: [...inA.values()].flatMap((row) => {
      const other = inB.get(row.unique_id);
      return other && other.fingerprint !== row.fingerprint ? [{ uniqueId: row.unique_id, a: versionOf(row), b: versionOf(other) }] : [];
    }),
  };
}

/** The views of `env`, or a usage error listing the environments there are. */
export function viewsOfEnvironment(views: readonly EnvironmentViewRow[], env: string): EnvironmentViewRow[] {
  const rows = views.filter((view) => view.environment === env);
  if (rows.length > 0) return rows;
  const known = [...new Set(views.map((view) => view.environment))].sort();
  throw new TsdbtError('usage', `no environment '${env}': ${known.length === 0 ? 'no environment has been promoted yet' : `the environments are ${known.join(', ')}`}`, {
    hint: didYouMean(env, known) ?? 'tsdbt env ls lists them',
  });
}

export interface DroppedEnvironment {
  views: string[];
  /** Its schemas dropped, and those kept because something else is in them (never the default environment's). */
  schemas: string[];
  keptSchemas: string[];
}

/**
 * `tsdbt env drop`: under the writer lock on the physical schema and the environment's schemas, its views and their
 * rows go in one transaction (readers see it whole or gone), then its schemas if nothing else is in them. The default
 * environment's views are the nodes' own relations in the project's schemas: only with `force`, and its schemas stay.
 * Its physical tables stay for the janitor, which drops them once the retention has passed.
 */
export async function dropEnvironment(
  adapter: Adapter,
  settings: VirtualEnvironmentSettings,
  env: string,
  options: { force: boolean; lock: LockSchemas },
): Promise<DroppedEnvironment> {
  const isDefault = env === settings.defaultEnvironment;
  if (isDefault && !options.force) {
    throw new TsdbtError('usage', `'${env}' is the default environment: its views are what the project's relations are`, { hint: `give --force to drop them all the same` });
  }
  const before = await adapter.withConnection(async (connection) => viewsOfEnvironment((await readEnvironmentState(connection)).views, env));
  return underLock(options.lock, [settings.physicalSchema, ...viewSchemas(before)], () =>
    adapter.withConnection(async (connection) => {
      const rows = viewsOfEnvironment((await readEnvironmentState(connection)).views, env);
      const dropped: string[] = [];
      await inTransaction(connection, async (transaction) => {
        for (const row of rows) {
          const relation = parseQuotedRelation(row.relation);
          // A relation that is no longer a view (a user's table put in its place) is not the environment's to drop.
          if (!relation || (await transaction.introspector.findRelation(relation))?.kind !== 'view') continue;
          await transaction.query(`drop view ${row.relation}`);
          dropped.push(row.relation);
        }
        await forgetEnvironmentViews(transaction, env);
      });
      const outcome: DroppedEnvironment = { views: dropped, schemas: [], keptSchemas: [] };
      if (isDefault) return outcome;
      for (const schema of viewSchemas(rows)) (await dropSchemaIfEmpty(connection, schema) ? outcome.schemas : outcome.keptSchemas).push(schema);
      return outcome;
    }),
  );
}
