import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isConnectionLost, TsdbtError } from '../../core/errors.js';
import { connectionOf, copyFromStdin, inTransaction, leftConnectionUnusable, type Adapter, type AdapterCapabilities, type Connection, type DedicatedConnection, type Field } from '../adapter.js';
import type { SqlDialect } from '../dialect.js';
import { quoteIdentifier } from '../sql.js';
import { postgresCapabilities } from './postgres-capabilities.js';
import type { PostgresTarget } from './postgres-profile.js';

/** PostgreSQL through a pg Pool of `threads` connections: the driver of `dialect`. */
export class PostgresAdapter implements Adapter {
  readonly concurrency: number;
  /** Host, port, database and user, as messages name the server: `at 127.0.0.1:5432, database d, user u`. */
  protected readonly location: string;
  serverVersion = 0;
  private readonly pool: pg.Pool;
  private readonly active = new Set<pg.ClientBase>();

  /** `settings`: server settings every session of the adapter starts with (`-c name=value`), for engines built on PostgreSQL. */
  constructor(
    private readonly target: PostgresTarget,
    readonly dialect: SqlDialect,
    readonly type = 'postgres',
    private readonly settings: Record<string, string> = {},
  ) {
    this.concurrency = target.threads;
    this.location = `at ${target.host}:${target.port}, database ${target.database}, user ${target.user}`;
    this.pool = new pg.Pool({ ...connectionConfig(target, settings), max: target.threads });
    // A client that errors (server restart, terminated backend), idle or busy, must not crash the process: its
    // query, or the next one, reports it.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  get description(): string {
    return `PostgreSQL ${this.location}`;
  }

  get capabilities(): AdapterCapabilities {
    return postgresCapabilities(this.serverVersion);
  }

  async open(): Promise<void> {
    const rows = await this.withConnection((c) => c.query('show server_version_num'));
    this.serverVersion = Number(rows.rows[0]?.server_version_num ?? 0);
  }

  async withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw connectionError(this.target, error);
    }
    this.active.add(client);
    let discard = false;
    try {
      return await work(wrap(client, this.dialect));
    } catch (error) {
      discard = leftConnectionUnusable(error) || isConnectionLost(error);
      throw error;
    } finally {
      this.active.delete(client);
      client.release(discard);
    }
  }

  transaction<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return this.withConnection((connection) => inTransaction(connection, work));
  }

  /** Not from the pool: with `threads` pooled connections all held by builds, waiting for one could never end. */
  async connectDedicated(): Promise<DedicatedConnection> {
    const client = new pg.Client(connectionConfig(this.target, this.settings));
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw connectionError(this.target, error);
    }
    this.active.add(client);
    return {
      ...wrap(client, this.dialect),
      release: async () => {
        this.active.delete(client);
        await client.end().catch(() => undefined);
      },
    };
  }

  /** pg_cancel_backend from a separate session, since the busy ones are waiting on their queries. */
  async cancelAll(): Promise<void> {
    const pids = [...this.active].map((client) => (client as unknown as { processID: number }).processID).filter(Boolean);
    if (pids.length === 0) return;
    const client = new pg.Client(connectionConfig(this.target, this.settings));
    try {
      await client.connect();
      await client.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [pids]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function wrap(client: pg.ClientBase, dialect: SqlDialect): Connection {
  return connectionOf(dialect, client, {
    async query(sql, params) {
      return toResult(await client.query({ text: sql, values: params as unknown[] | undefined }));
    },
    async queryArrays(sql, params) {
      return toResult(await client.query({ text: sql, values: params as unknown[] | undefined, rowMode: 'array' }));
    },
    async queryText(sql, params) {
      return toResult(await client.query({ text: sql, values: params as unknown[] | undefined, rowMode: 'array', types: TEXT_VALUES }));
    },
    async execute(sql) {
      await client.query(sql);
    },
    async copyFrom(target, options, chunks) {
      // One COPY for all chunks, streamed with backpressure: the server parses while we read.
      const stream = client.query(copyFrom(copyFromStdin(target, options)));
      const done = finished(stream);
      // The server may refuse a row while we wait on the source; that rejection is handled below, not crash-worthy.
      done.catch(() => undefined);
      try {
        for await (const chunk of chunks) {
          if (stream.destroyed) break;
          if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), done]);
        }
        stream.end();
        await done;
      } catch (error) {
        // Either the server refused a row (the race above) or the source failed: abort the COPY, keep that error.
        stream.destroy(error as Error);
        await done.catch(() => undefined);
        throw error;
      }
      return stream.rowCount;
    },
  });
}

/** Every value as the server sent it: PostgreSQL's text output, unparsed. */
const TEXT_VALUES: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value };

/** `Row` is what the query's config makes of a row: an object by default, an array with rowMode 'array'. */
function toResult<Row>(result: pg.QueryResultBase & { rows: unknown[] }): { rows: Row[]; rowCount: number | null; fields: Field[] } {
  return {
    rows: result.rows as Row[],
    rowCount: result.rowCount,
    fields: (result.fields ?? []).map((field) => ({ name: field.name, dataTypeID: field.dataTypeID })),
  };
}

function connectionConfig(target: PostgresTarget, settings: Record<string, string>): pg.ClientConfig {
  const options: string[] = [];
  if (target.searchPath) options.push(`-c search_path=${target.searchPath.replace(/ /g, '\\ ')}`);
  if (target.role) options.push(`-c role=${target.role}`);
  for (const [name, value] of Object.entries(settings)) options.push(`-c ${name}=${value}`);
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    application_name: target.applicationName,
    connectionTimeoutMillis: target.connectTimeoutSeconds * 1000,
    statement_timeout: target.statementTimeoutMs,
    keepAlive: target.keepalivesIdleSeconds !== undefined,
    keepAliveInitialDelayMillis: (target.keepalivesIdleSeconds ?? 0) * 1000,
    options: options.length > 0 ? options.join(' ') : undefined,
    ssl: sslConfig(target),
  };
}

function sslConfig(target: PostgresTarget): pg.ClientConfig['ssl'] {
  switch (target.sslmode) {
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return {
        rejectUnauthorized: true,
        ca: target.sslrootcert ? readFileSync(target.sslrootcert, 'utf8') : undefined,
        cert: target.sslcert ? readFileSync(target.sslcert, 'utf8') : undefined,
        key: target.sslkey ? readFileSync(target.sslkey, 'utf8') : undefined,
        checkServerIdentity: target.sslmode === 'verify-ca' ? () => undefined : undefined,
      };
    default:
      return undefined;
  }
}

/** The host, port, database and user are named; the password never is (pg's own messages do not carry it). */
function connectionError(target: PostgresTarget, error: unknown): TsdbtError {
  const code = (error as { code?: string }).code;
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused (is the server running and listening there?)'
      : code === 'ENOTFOUND'
        ? 'unknown host'
        : code === '3D000'
          ? `database ${quoteIdentifier(target.database)} does not exist`
          : code === '28P01' || code === '28000'
            ? 'authentication failed'
            : (error as Error).message;
  return new TsdbtError('connection', `cannot connect to PostgreSQL at ${target.host}:${target.port} (database ${target.database}, user ${target.user}): ${reason}`, {
    hint: 'check the profile (tsdbt debug shows which one is used); with Docker: docker compose up -d',
    cause: error,
  });
}
