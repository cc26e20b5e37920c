import type { DatabaseIntrospector, DialectAdapter, Kysely, QueryCompiler } from 'kysely';
import type { z } from 'zod';
import type { ErrorLocation } from '../core/errors.js';
import type { Adapter, Connection } from './adapter.js';
import type { DialectSql } from './dialect-sql.js';
import type { Introspector } from './introspector.js';

/**
 * One engine tsdbt runs on, found in the registry by its profile `type`, in the spirit of Kysely's dialect: how its
 * profile output reads (`profile`), and an adapter for a target (`createAdapter`), which loads the driver and the
 * engine's SQL dialect lazily: commands that never connect (compile, ls) load neither, nor Kysely.
 */
export interface Dialect<T extends TargetBase = TargetBase, Shape extends OutputShape = OutputShape> {
  /** The profile output's `type`. */
  readonly type: string;
  readonly profile: DialectProfile<T, Shape>;
  /** Not opened yet. */
  createAdapter(target: T, options: AdapterOptions): Promise<Adapter>;
  /** For an engine built on another (Citus on PostgreSQL): how a target of that other type is found to be this one's. */
  readonly detect?: DialectDetection<T>;
}

/**
 * A capability probe, never a version guess: once an adapter for a target of `baseType` is open, `probe` looks on its
 * connection for this engine and says why it is there, and the target is then run with this dialect instead.
 */
export interface DialectDetection<T extends TargetBase> {
  readonly baseType: string;
  /** Why the database is this engine's (for `tsdbt debug`), or undefined when it is not. */
  probe(connection: Connection): Promise<string | undefined>;
  /** The base target as this dialect's. */
  target(base: TargetBase): T;
}

/**
 * How an engine's statements are spelled (`sql`, `kysely`) and its catalog read (`createIntrospector`): what its
 * adapter and connections carry (`connection.dialect`), loaded with its driver.
 */
export interface SqlDialect {
  readonly sql: DialectSql;
  /** Kysely's pieces for building queries in this engine's SQL; the connection comes from the adapter. */
  readonly kysely: {
    createAdapter(): DialectAdapter;
    createQueryCompiler(): QueryCompiler;
    /** Values written as literals: for a query materialised inside another statement, where parameters cannot go. */
    createInliningQueryCompiler(): QueryCompiler;
    /** Kysely's own, for TypeScript models' `db.introspection`. */
    createIntrospector(db: Kysely<unknown>): DatabaseIntrospector;
  };
  createIntrospector(connection: Connection): Introspector;
}

/** The keys every target has, whatever its engine. */
export interface TargetBase {
  type: string;
  name: string;
  profileName: string;
  schema: string;
  threads: number;
}

/** A profile output's keys, `type` a literal of the dialect's type. */
export type OutputShape = { type: z.ZodLiteral<string> } & z.ZodRawShape;

export interface DialectProfile<T extends TargetBase, Shape extends OutputShape = OutputShape> {
  /** The output's keys: config/profiles.ts validates them, all dialects' in one union on `type`, unknown keys refused. */
  readonly shape: Shape;
  /** The validated output as a target. */
  target(output: z.output<z.ZodObject<Shape>>, context: TargetContext): T;
  /** The target as artifacts and `debug` show it: never the password. */
  describe(target: T): Record<string, unknown>;
  /** The default of --retries the profile gives, if the engine takes one (dbt-postgres's `retries`). */
  retries(target: T): number | undefined;
  /** What catalog.json names the database. */
  databaseName(target: T): string;
}

export interface TargetContext {
  name: string;
  profileName: string;
  projectRoot: string;
  /** --threads, over the profile's. */
  threads?: number;
  /** Where the output is written, for errors about it (none for the embedded default, which has no file). */
  location?: () => ErrorLocation;
}

export interface AdapterOptions {
  /** How long to wait for another process holding an embedded database (PGlite) before giving up. */
  lockTimeoutMs?: number;
  /** A file every statement of the adapter's connections is appended to (the registry's, statement-log.ts: no driver's). */
  statementLog?: string;
}
