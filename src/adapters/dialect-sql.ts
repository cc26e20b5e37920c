/**
 * The statements whose spelling is the engine's, or which a distributed engine must spell its own way (where a table
 * lives, what a view or a comment reaches): the core emits these through `connection.dialect.sql` and writes the rest
 * (SELECT, INSERT ... SELECT, UPDATE, DELETE, DROP ... CASCADE, ALTER TABLE) itself.
 */
export interface DialectSql {
  /**
   * Takes the session lock (namespace, key) if free, returning one row whose `ok` is true when taken; parameters $1
   * (namespace) and $2 (key), both 32-bit integers. Released by `unlock`, or by the server when the session ends.
   */
  readonly tryLock: string;
  /** Releases a lock `tryLock` took; the same parameters. */
  readonly unlock: string;
  /** Waits for the lock named `name`, held until the caller's transaction ends: creators of a shared table queue on it. */
  transactionLock(name: string): string;
  /**
   * `relation` made from `query`'s rows (none when `withData` is false): a model's table, or a scratch one. The
   * statements run in order (a distributed engine creates, distributes, then fills); the last one's row count is the
   * rows written.
   */
  createTableAs(relation: string, query: string, options: TableOptions): string[];
  /** `relation` with declared columns (`"a" int, "b" text`, constraints included), to be filled by COPY or INSERT; statements run in order. */
  createTable(relation: string, definition: string, options: TableOptions): string[];
  /** A view (or, `materialized`, a materialized view) `relation` of `query`, a SELECT (or a stored view definition). */
  createView(relation: string, query: string, options: ViewOptions): string;
  /** Describes `object` (`table "s"."t"`, `column "s"."t"."c"`...) with `text`, as `docs` and catalog readers see it. */
  commentOn(object: string, text: string): string;
  /** The options of `COPY ... FROM STDIN` for rows in the text format (tab-separated, `\N` for null), as copy-rows.ts encodes them. */
  readonly copyTextOptions: string;
  /** The same for CSV, as a seed file is written. */
  copyCsvOptions(options: CopyCsvOptions): string;
  /** Gives `relation` (quoted, a `keyword`: table, view...) the name `identifier` (quoted) in its schema: the swap. */
  renameRelation(keyword: string, relation: string, identifier: string): string;
  /** Inserts `source`'s rows, updating `updates` (or nothing) where a row with the same `keys` exists: needs a unique index on them. */
  upsert(statement: Upsert): string;
  /** The same through MERGE, matching on `on` (conditions over `targetAlias` and `sourceAlias`): no index needed. */
  merge(statement: Upsert & { on: string[] }): string;
}

export interface TableOptions {
  /** Dropped at the end of the transaction. */
  temporary?: boolean;
  withData?: boolean;
  /** createTableAs: the names (quoted) the query's columns get, in its order, where they differ from its own. */
  columns?: string[];
  /** createTable: nothing happens when the relation exists. */
  ifNotExists?: boolean;
  /** Where a distributed engine keeps the rows (never for temporary tables); engines of one server ignore it. */
  distribution?: TableDistribution;
}

/**
 * A table sharded by `column` (unquoted, as the catalog names it) over the workers, its shards placed with those of
 * `colocateWith` (a quoted relation, or `none` for a group of its own) or in `shardCount` shards; or one copy of the
 * whole table on every node (`reference`).
 */
export type TableDistribution = { kind: 'hash'; column: string; colocateWith?: string; shardCount?: number } | { kind: 'reference' };

export interface ViewOptions {
  materialized?: boolean;
  /** Replaces a view of the same name whose columns it keeps (engines refuse otherwise). */
  orReplace?: boolean;
}

export interface CopyCsvOptions {
  /** The first line names the columns and is skipped. */
  header: boolean;
  /** One character each. */
  delimiter: string;
  quote: string;
  /** The unquoted value read as null. */
  null: string;
}

/** Column names are quoted; `source` is a FROM item aliased `sourceAlias`. */
export interface Upsert {
  relation: string;
  targetAlias: string;
  source: string;
  sourceAlias: string;
  columns: string[];
  keys: string[];
  updates: string[];
}

/** Runs a dialect's statements (at least one) in order and returns the last one's result: the rows a table was filled with. */
export async function runStatements<R>(statements: readonly string[], run: (sql: string) => Promise<R>): Promise<R> {
  const last = statements.at(-1);
  if (last === undefined) throw new Error('a dialect returned no statement');
  for (const statement of statements.slice(0, -1)) await run(statement);
  return run(last);
}
