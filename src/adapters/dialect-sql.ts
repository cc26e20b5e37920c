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
}
