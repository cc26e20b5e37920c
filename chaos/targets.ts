import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { CONNECT_TIMEOUT_S, type ThrowawayCluster } from './cluster.js';
import type { Query } from './compare.js';

export type BackendName = 'postgres' | 'pglite';

/** One database a trial runs the CLI against: its own PostgreSQL database, or its own PGlite folder. */
export interface ChaosTarget {
  readonly backend: BackendName;
  /** What points the chaos project's profile (output `backend`) at this database. */
  readonly env: Record<string, string>;
  /** Runs `use` with a connection to the database; on PGlite the CLI must not be running meanwhile. */
  connect<T>(use: (query: Query) => Promise<T>): Promise<T>;
}

/** Makes and removes targets of one backend. */
export interface TargetFactory {
  readonly backend: BackendName;
  /** A new target: empty, or a copy of `from` (which must be idle). */
  create(from?: ChaosTarget): Promise<ChaosTarget>;
  remove(target: ChaosTarget): Promise<void>;
  /** Removes every target still there. */
  close(): Promise<void>;
}

/** Databases of the suite's throwaway cluster, copied with CREATE DATABASE ... TEMPLATE. */
export class PostgresTargets implements TargetFactory {
  readonly backend = 'postgres';
  private made = 0;
  private readonly live = new Set<string>();

  constructor(private readonly cluster: ThrowawayCluster) {}

  async create(from?: ChaosTarget): Promise<ChaosTarget> {
    const database = `chaos_${++this.made}`;
    await this.cluster.query(`create database ${database}${from ? ` template ${from.env.CHAOS_DATABASE}` : ''}`);
    this.live.add(database);
    const url = this.cluster.url(database);
    return {
      backend: 'postgres',
      env: { CHAOS_DATABASE: database },
      async connect(use) {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_S * 1000 });
        await client.connect();
        try {
          return await use(async (sql) => (await client.query(sql)).rows);
        } finally {
          await client.end();
        }
      },
    };
  }

  remove(target: ChaosTarget): Promise<void> {
    return this.drop(target.env.CHAOS_DATABASE!);
  }

  async close(): Promise<void> {
    for (const database of [...this.live]) await this.drop(database);
  }

  private async drop(database: string): Promise<void> {
    await this.cluster.query(`drop database if exists ${database} with (force)`);
    this.live.delete(database);
  }
}

/** PGlite folders under `root`, each a copy of an initialised empty one (PGlite's initdb takes seconds). */
export class PgliteTargets implements TargetFactory {
  readonly backend = 'pglite';
  private made = 0;

  private constructor(private readonly root: string) {}

  static async create(root: string): Promise<PgliteTargets> {
    const db = await PGlite.create(join(root, 'empty'));
    await db.close();
    return new PgliteTargets(root);
  }

  async create(from?: ChaosTarget): Promise<ChaosTarget> {
    const path = join(this.root, `target_${++this.made}`);
    cpSync(from ? from.env.CHAOS_PGLITE_PATH! : join(this.root, 'empty'), path, { recursive: true });
    return {
      backend: 'pglite',
      env: { CHAOS_PGLITE_PATH: path },
      async connect(use) {
        const db = await PGlite.create(path);
        try {
          return await use(async (sql) => (await db.query(sql)).rows as never);
        } finally {
          await db.close();
        }
      },
    };
  }

  async remove(target: ChaosTarget): Promise<void> {
    rmSync(target.env.CHAOS_PGLITE_PATH!, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    rmSync(this.root, { recursive: true, force: true });
  }
}
