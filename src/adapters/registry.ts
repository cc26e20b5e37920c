import type { z } from 'zod';
import type { Adapter } from './adapter.js';
import { citusDialect } from './citus/citus-dialect.js';
import type { AdapterOptions, Dialect } from './dialect.js';
import { pgliteDialect } from './pglite/pglite-dialect.js';
import { postgresDialect } from './postgres/postgres-dialect.js';
import { loggingAdapter, StatementLog } from './statement-log.js';

/** Every engine tsdbt runs on, by profile `type`: a new dialect is its folder and one line here. */
const DIALECTS = [postgresDialect, pgliteDialect, citusDialect] as const;

/** The engine a project without a profile runs on, in a data directory of its own. */
export const embeddedDialect = pgliteDialect;

type RegisteredDialect = (typeof DIALECTS)[number];
/** The profile types tsdbt knows: `postgres`, `pglite`... */
export type DialectType = z.output<RegisteredDialect['profile']['shape']['type']>;
type TargetOf<D extends { createAdapter(target: never, options: never): unknown }> = Parameters<D['createAdapter']>[0];

/** A resolved profile output, one type per registered dialect, told apart by `type`. */
export type Target = TargetOf<RegisteredDialect>;
export type EmbeddedTarget = TargetOf<typeof embeddedDialect>;

export const registeredDialects: ReadonlyArray<Dialect & { type: DialectType }> = DIALECTS as unknown as ReadonlyArray<Dialect & { type: DialectType }>;

/**
 * The dialect of `type`. Its methods take the target of its own type: the registry is keyed by that type, which is
 * why the one type assertion here is sound.
 */
export function dialectOf<T extends { type: string }>(target: T): Dialect<T & Target> {
  const dialect = DIALECTS.find((candidate) => candidate.type === target.type);
  if (!dialect) throw new Error(`no dialect of type '${target.type}' is registered`);
  return dialect as unknown as Dialect<T & Target>;
}

/** Opens nothing: the adapter's driver is loaded here, lazily, so commands that never connect do not load it. */
export function createAdapter(target: Target, options: AdapterOptions = {}): Promise<Adapter> {
  return dialectOf(target).createAdapter(target, options);
}

export interface OpenedAdapter {
  adapter: Adapter;
  /** Why the adapter's dialect is not the target's type (a dialect's `detect` found its engine), for `tsdbt debug`. */
  detected?: string;
}

/**
 * Creates and opens the target's adapter; then, if a dialect built on the target's engine finds itself in the
 * database (Citus in a PostgreSQL database), that dialect's adapter instead. An open failing half-way closes what it
 * opened (PGlite's lock included). With `statementLog`, each adapter opened logs its statements there.
 */
export async function openAdapter(target: Target, options: AdapterOptions = {}): Promise<OpenedAdapter> {
  const log = options.statementLog ? new StatementLog(options.statementLog) : undefined;
  const adapter = await openOne(target, options, log);
  for (const dialect of registeredDialects) {
    if (dialect.detect?.baseType !== target.type) continue;
    const { detect } = dialect;
    const detected = await adapter.withConnection((connection) => detect.probe(connection)).catch(async (error: unknown) => {
      await adapter.close().catch(() => undefined);
      throw error;
    });
    if (detected === undefined) continue;
    await adapter.close();
    return { adapter: await openOne(detect.target(target) as Target, options, log), detected: `${detected}: running target type ${target.type} with the ${dialect.type} dialect` };
  }
  return { adapter };
}

async function openOne(target: Target, options: AdapterOptions, log: StatementLog | undefined): Promise<Adapter> {
  const created = await createAdapter(target, options);
  const adapter = log ? loggingAdapter(created, log) : created;
  try {
    await adapter.open();
  } catch (error) {
    await adapter.close().catch(() => undefined);
    throw error;
  }
  return adapter;
}
