/**
 * The statements whose spelling is the engine's, not the standard's: the core emits these through
 * `connection.dialect.sql` and writes the rest (SELECT, INSERT ... SELECT, DROP) itself.
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
  /** `relation` made from `query`'s rows (none when `withData` is false): a model's table, or a scratch one. */
  createTableAs(relation: string, query: string, options: TableOptions): string;
  /** `relation` with declared columns (`"a" int, "b" text`, constraints included), to be filled by COPY or INSERT. */
  createTable(relation: string, definition: string, options: TableOptions): string;
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
