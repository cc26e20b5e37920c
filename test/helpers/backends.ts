import { cpSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import type { DialectType } from '../../src/adapters/registry.js';
import { adminQuery, createCitusDatabase, dropCitusDatabase } from './citus-database.js';
import { openForQuery } from './pglite-queries.js';

/** A database backend the integration suite runs on: every integration test runs on each of them. */
export interface TestBackend {
  /** The dialect's profile type. */
  name: DialectType;
  /**
   * The server the backend's databases are on, or undefined for an embedded database (PGlite's, in the project's
   * folder: one process at a time, seconds to open, no per-database settings).
   */
  serverUrl: string | undefined;
  /** The URL of the test file's database on that server (for sessions of a test's own), or undefined. */
  databaseUrl: string | undefined;
  /** Whether a running query can be cancelled from outside, as the dialect's `cancellation` capability says. */
  cancellation: boolean;
  /** profiles.yml output for a project in `projectDir`, under profile `test`, with target schema `schema`. */
  profile(projectDir: string, schema: string): string;
  /**
   * Runs SQL against what the project's runs wrote. For PGlite the CLI must not be running (one process at a time),
   * and the database stays open until closePgliteQueries (which the project helpers call before each CLI run).
   */
  query<R = Record<string, unknown>>(projectDir: string, sql: string, params?: unknown[]): Promise<R[]>;
}

export const PG_URL = process.env.TSDBT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const requirePg = process.env.TSDBT_REQUIRE_PG === '1';

async function probePostgres(url = PG_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgProblem = await probePostgres();
if (pgProblem) {
  const message = `PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':*****@')} is not reachable (${pgProblem})`;
  if (requirePg) throw new Error(`${message}, and TSDBT_REQUIRE_PG=1 requires it`);
  console.warn(`\n!!!!!!!!\n!!! ${message}: the PostgreSQL half of the integration tests is SKIPPED.\n!!! Set TSDBT_TEST_PG_URL, or TSDBT_REQUIRE_PG=1 to make this an error.\n!!!!!!!!\n`);
}
export const postgresAvailable = pgProblem === undefined;

/** A Citus coordinator whose nodes are registered in its database: each test file's database gets the same nodes. */
export const CITUS_URL = process.env.TSDBT_TEST_CITUS_URL;
/** Unset, the Citus half is skipped (global-setup.ts says so once); set and unreachable, that is an error. */
const citusProblem = CITUS_URL ? await probePostgres(CITUS_URL) : 'TSDBT_TEST_CITUS_URL is not set';
if (CITUS_URL && citusProblem) throw new Error(`Citus at ${CITUS_URL.replace(/:[^:@/]*@/, ':*****@')}, which TSDBT_TEST_CITUS_URL names, is not reachable (${citusProblem})`);

/** One database per test file, dropped at the end, on the server at `serverUrl`. */
export class PostgresTestDatabase {
  readonly name = `tsdbt_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

  /** Server settings of the sessions tests query with (`-c name=value`), as the CLI's sessions have them. */
  readonly sessionOptions: string | undefined;
  /** Profile keys beyond PostgreSQL's, as `key: value` lines. */
  readonly profileKeys: string[] = [];

  constructor(readonly serverUrl: string = PG_URL) {}

  async create(): Promise<void> {
    await adminQuery(this.serverUrl, `create database ${this.name}`);
  }

  /** Tests in a file share the database one after another; each starts from empty schemas. */
  async reset(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url().toString() });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        "select nspname as name from pg_namespace where nspname not like 'pg\\_%' and nspname <> 'information_schema'",
      );
      for (const { name } of rows) await client.query(`drop schema "${name.replace(/"/g, '""')}" cascade`);
      await client.query('create schema public');
    } finally {
      await client.end();
    }
  }

  async drop(): Promise<void> {
    await adminQuery(this.serverUrl, `drop database if exists ${this.name} with (force)`);
  }

  url(): URL {
    const url = new URL(this.serverUrl);
    url.pathname = `/${this.name}`;
    return url;
  }
}

/** A database of the same name on the coordinator and on every worker (see createCitusDatabase). */
export class CitusTestDatabase extends PostgresTestDatabase {
  private workers: URL[] = [];
  // Tests read relations tsdbt built, views joining differently sharded tables among them: as tsdbt's sessions can.
  override readonly sessionOptions = '-c citus.enable_repartition_joins=on';
  // Tables whose model gives no shard count get 4 (Citus's default is 32): both workers still hold shards of each, and
  // every statement on a distributed table has an eighth of the shard tasks, which a 2-core CI machine feels.
  override readonly profileKeys = ['shard_count: 4'];

  override async create(): Promise<void> {
    this.workers = await createCitusDatabase(this.serverUrl, this.name);
  }

  /**
   * Citus's schemas stay, and so does public, where its views are (dropping them would drop the extension): the other
   * schemas go, and so do public's own relations.
   */
  override async reset(): Promise<void> {
    const database = this.url().toString();
    const drops = await adminQuery<{ sql: string }>(
      database,
      `select format('drop schema %I cascade', nspname) as sql from pg_namespace as n
       where nspname not like 'pg\\_%' and nspname not in ('information_schema', 'public') and not exists (select from pg_depend where objid = n.oid and deptype = 'e')
       union all
       select format('drop %s if exists public.%I cascade', case relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end, relname)
       from pg_class as c
       where relnamespace = 'public'::regnamespace and relkind in ('r', 'p', 'v', 'm') and not exists (select from pg_depend where objid = c.oid and deptype = 'e')`,
    );
    if (drops.length > 0) await adminQuery(database, drops.map(({ sql }) => sql).join(';\n'));
  }

  override async drop(): Promise<void> {
    await dropCitusDatabase(this.serverUrl, this.name, this.workers);
  }
}

export const pgliteBackend: TestBackend = {
  name: 'pglite',
  serverUrl: undefined,
  databaseUrl: undefined,
  cancellation: false,
  profile(projectDir, schema) {
    // A copy of an initialised data directory: PGlite's initdb takes seconds.
    cpSync(inject('pgliteTemplate'), join(projectDir, '.tsdbt/pglite'), { recursive: true });
    return `test:\n  target: dev\n  outputs:\n    dev:\n      type: pglite\n      path: .tsdbt/pglite\n      schema: ${schema}\n`;
  },
  async query(projectDir, sql, params) {
    const db = await openForQuery(join(projectDir, '.tsdbt/pglite'));
    return (await db.query(sql, params)).rows as never;
  },
};

/** A server of the PostgreSQL family, in `database`, through a profile of type `type` (PostgreSQL's keys). */
export function postgresBackend(database: PostgresTestDatabase, type: DialectType = 'postgres'): TestBackend {
  return {
    name: type,
    serverUrl: database.serverUrl,
    get databaseUrl() {
      return database.url().toString();
    },
    cancellation: true,
    profile(_projectDir, schema) {
      const url = database.url();
      const password = url.password ? `\n      password: ${decodeURIComponent(url.password)}` : '';
      return `test:\n  target: dev\n  outputs:\n    dev:\n      type: ${type}\n      host: ${url.hostname}\n      port: ${url.port || 5432}\n      user: ${decodeURIComponent(url.username) || 'postgres'}${password}\n      dbname: ${database.name}\n      schema: ${schema}\n      threads: 4\n${database.profileKeys.map((line) => `      ${line}\n`).join('')}`;
    },
    async query(_projectDir, sql, params) {
      const client = new pg.Client({ connectionString: database.url().toString(), options: database.sessionOptions });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as never;
      } finally {
        await client.end();
      }
    },
  };
}

/** How the integration suite runs on one registered dialect. */
export interface DialectFixture {
  /** Why it cannot run on this machine (no server reachable), or undefined: its half of the suite is skipped. */
  unavailable: string | undefined;
  /**
   * Run only where the machine has it (Citus): unavailable, its tests are not declared at all, so a run without it
   * counts no skipped test (CI fails on any); global setup says once that its half did not run.
   */
  optional?: true;
  /** A database server's (PostgreSQL's, Citus's), whose sessions tests may hold, kill or time out: describeServerBackends. */
  server?: true;
  /** Inside a test file's describe: declares the file's setup and teardown, and returns the backend its tests use. */
  backendForFile(): TestBackend;
}

/** A database of the file's own on the server at `serverUrl`, emptied before each test. */
function serverFixture(type: DialectType, serverUrl: string, unavailable: string | undefined, optional?: true): DialectFixture {
  return {
    unavailable,
    optional,
    server: true,
    backendForFile() {
      const database = type === 'citus' ? new CitusTestDatabase(serverUrl) : new PostgresTestDatabase(serverUrl);
      beforeAll(() => database.create());
      beforeEach(() => database.reset());
      afterAll(() => database.drop());
      return postgresBackend(database, type);
    },
  };
}

/**
 * One fixture per registered dialect (a dialect registered without one does not compile): `describeBackends` runs
 * every integration test on each, so a new dialect joins the whole suite by its registry line and its line here.
 */
export const DIALECT_FIXTURES: Record<DialectType, DialectFixture> = {
  postgres: serverFixture('postgres', PG_URL, pgProblem),
  pglite: { unavailable: undefined, backendForFile: () => pgliteBackend },
  citus: serverFixture('citus', CITUS_URL ?? '', citusProblem, true),
};
