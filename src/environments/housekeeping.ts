import type { Connection } from '../adapters/adapter.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { META_SCHEMA } from '../core/constants.js';
import { ENVIRONMENT_VIEWS, VERSIONS, readEnvironmentViews, readVersions, type EnvironmentViewRow, type VersionRow } from './state.js';

/**
 * tsdbt's writer lock on schemas, as the command takes it (the runner's lockTarget): the janitor and `env drop` read
 * the state and change the catalog only while they hold it, so no plan promotes meanwhile.
 */
export type LockSchemas = (schemas: string[]) => Promise<{ release(): Promise<void> }>;

/** Runs `work` holding the lock on `schemas`. */
export async function underLock<T>(lock: LockSchemas, schemas: string[], work: () => Promise<T>): Promise<T> {
  const held = await lock(schemas);
  try {
    return await work();
  } finally {
    await held.release();
  }
}

export interface EnvironmentState {
  versions: VersionRow[];
  views: EnvironmentViewRow[];
}

/** What the state tables hold: nothing before a first plan has made them. */
export async function readEnvironmentState(connection: Connection): Promise<EnvironmentState> {
  const present = new Set((await connection.introspector.listRelations([META_SCHEMA])).map((relation) => relation.identifier));
  return {
    versions: present.has(VERSIONS.name) ? [...(await readVersions(connection)).values()] : [],
    views: present.has(ENVIRONMENT_VIEWS.name) ? await readEnvironmentViews(connection) : [],
  };
}

/** PostgreSQL's dependent_objects_still_exist: DROP SCHEMA without CASCADE found something in it. */
const NOT_EMPTY = '2BP01';

/**
 * Drops `schema` if nothing is in it, and says whether it did. Never CASCADE: the server itself refuses a schema that
 * holds anything (a user's table, view, function or type), so it stays. Outside a transaction: a refusal aborts one.
 */
export async function dropSchemaIfEmpty(connection: Connection, schema: string): Promise<boolean> {
  try {
    await connection.query(`drop schema if exists ${quoteIdentifier(schema)} restrict`);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === NOT_EMPTY) return false;
    throw error;
  }
}

/** Whether `schema` holds no table, view or materialized view: what --dry-run can tell without dropping it. */
export async function holdsNoRelation(connection: Connection, schema: string): Promise<boolean> {
  return (await connection.introspector.listRelations([schema])).length === 0;
}
