import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * How long a connection to the cluster may take before it counts as failed, for the suite's own clients and the CLI's
 * profile. It only catches a server that never answers: one that is down or restarting refuses at once, whatever the
 * limit. On a loaded machine (CI runs chaos beside the tests) a new backend can take several seconds to start.
 */
export const CONNECT_TIMEOUT_S = 30;

/** Where Debian's PostgreSQL 15 puts initdb and pg_ctl; TSDBT_PG_BIN overrides it. */
export const PG_BIN = process.env.TSDBT_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why a throwaway cluster cannot be made here, or undefined when it can. */
export function clusterUnavailable(): string | undefined {
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl'))) return `no initdb/pg_ctl in ${PG_BIN}`;
  if (userInfo().uid === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no postgres user for initdb';
  return undefined;
}

export type StopMode = 'fast' | 'immediate';

/** Where a cluster is, for a lane process to reach (and restart) the cluster run.ts made. */
export interface ClusterAddress {
  dir: string;
  port: number;
}

/**
 * A PostgreSQL cluster of our own in a temporary folder, on a free port: the suite restarts it at will, which it must
 * never do to a shared server. `remove()` stops it and deletes the folder; call it in a finally.
 */
export class ThrowawayCluster {
  readonly host = '127.0.0.1';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** The cluster another process made (see `address`); that process removes it. */
  static attach(address: ClusterAddress): ThrowawayCluster {
    return new ThrowawayCluster(address.dir, address.port);
  }

  get address(): ClusterAddress {
    return { dir: this.dir, port: this.port };
  }

  /**
   * `settings` go into the cluster's postgresql.conf, so that a restart keeps them (Citus's cluster preloads its
   * library); `name` tells the temporary folder apart.
   */
  static async create(options: { name?: string; settings?: Record<string, string> } = {}): Promise<ThrowawayCluster> {
    const problem = clusterUnavailable();
    if (problem) throw new Error(`cannot make a throwaway PostgreSQL cluster: ${problem}`);
    const dir = mkdtempSync(join(tmpdir(), `tsdbt-${options.name ?? 'chaos'}-cluster-`));
    const cluster = new ThrowawayCluster(dir, await freePort());
    try {
      // initdb refuses to run as root: the cluster then belongs to the postgres user.
      if (userInfo().uid === 0) {
        const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
        chownSync(dir, uid!, gid!);
      }
      await cluster.pg('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
      const settings = Object.entries(options.settings ?? {}).map(([name, value]) => `${name} = '${value.replace(/'/g, "''")}'\n`);
      if (settings.length > 0) appendFileSync(join(cluster.dataDir, 'postgresql.conf'), settings.join(''));
      await cluster.pgCtl(['start', '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', cluster.serverOptions()]);
      return cluster;
    } catch (error) {
      cluster.remove();
      throw error;
    }
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** The URL of a database of this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@${this.host}:${this.port}/${database}`;
  }

  async query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, database = 'postgres'): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database), connectionTimeoutMillis: CONNECT_TIMEOUT_S * 1000 });
    await client.connect();
    try {
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * Restarts the server; `immediate` is a crash as far as the data is concerned (WAL replay at start). Without
   * blocking: the other backend's trials go on meanwhile.
   */
  restart(mode: StopMode): Promise<void> {
    return this.pgCtl(['restart', '-w', '-t', '60', '-m', mode, '-l', join(this.dir, 'server.log'), '-o', this.serverOptions()]);
  }

  /** Stops the server (immediately: its data is thrown away) and deletes its folder; safe to call twice. */
  remove(): void {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const stopped = spawnSync(...this.asOwner(join(PG_BIN, 'pg_ctl'), ['stop', '-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30']));
      if (stopped.status !== 0 && pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private serverOptions(): string {
    // fsync off: the suite kills processes and restarts the server, it never crashes the machine, so the OS cache
    // keeps what PostgreSQL wrote; WAL replay after an immediate stop is exercised all the same.
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=${this.host} -c fsync=off -c max_connections=200`;
  }

  private pgCtl(args: string[]): Promise<void> {
    return this.pg('pg_ctl', ['-D', this.dataDir, ...args]);
  }

  private pg(binary: string, args: string[]): Promise<void> {
    const [command, argv] = this.asOwner(join(PG_BIN, binary), args);
    return new Promise((resolve, reject) => {
      execFile(command, argv, { encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${binary} ${args.join(' ')} failed: ${stderr || stdout || error.message}`));
        else resolve();
      });
    });
  }

  private asOwner(command: string, args: string[]): [string, string[]] {
    return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
