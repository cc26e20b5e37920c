import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterUnavailable, ThrowawayCluster } from '../../chaos/cluster.js';
import type { TestBackend } from '../helpers/backends.js';
import { expectKilled, expectOk, LEFTOVERS } from '../helpers/killed-run.js';
import { makeProject, spawnCli } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

/**
 * Deterministic versions of the chaos suite's faults (npm run chaos): each SIGKILL lands at a known point (a node
 * with a pg_sleep is running, because the node it reads, `quick`, has just been reported), the relation must then be in its
 * previous state with nothing temporary left, and a re-run must finish the work exactly once.
 */

describeBackends('SIGKILL mid-run, then a re-run', (backend: TestBackend) => {
  beforeEach(() => {
    process.env.TSDBT_NOW = '2024-01-08T12:00:00Z';
  });
  afterEach(() => {
    delete process.env.TSDBT_NOW;
  });

  it('a table being rebuilt keeps its previous version, and the re-run swaps in the new one', async () => {
    const project = makeProject(
      {
        'models/quick.sql': 'select 1 as id',
        'models/totals.sql': '{{config materialized="table"}}\nselect g as id, g * {{var "factor" 1}} as value from generate_series(1, 1000) as g cross join (select pg_sleep({{var "nap" 0}}) from {{ref "quick"}}) as nap',
      },
      backend,
    );
    await expectOk(project, 'run', '--vars', '{factor: 1}');
    await expectKilled(project, ['run', '--threads', '1', '--vars', '{factor: 2, nap: 3}'], /"quick"/);
    expect(await project.query('select count(*)::int as n, sum(value)::int as total from analytics.totals')).toEqual([{ n: 1000, total: 500500 }]);
    await expectOk(project, 'run', '--vars', '{factor: 2}');
    expect(await project.query('select count(*)::int as n, sum(value)::int as total from analytics.totals')).toEqual([{ n: 1000, total: 1001000 }]);
    expect(await project.query(LEFTOVERS)).toEqual([]);
  });

  it('an incremental run adds its increment exactly once', async () => {
    const project = makeProject(
      {
        'models/quick.sql': 'select 1 as id',
        'models/events.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key="id"}}
select g as id, g * 10 as amount from generate_series(1, {{var "upto" 100}}) as g
cross join (select pg_sleep({{var "nap" 0}}) from {{ref "quick"}}) as nap
{{#if (is_incremental)}}where g > (select max(id) from {{this}}){{/if}}`,
      },
      backend,
    );
    await expectOk(project, 'run', '--vars', '{upto: 100}');
    await expectKilled(project, ['run', '--threads', '1', '--vars', '{upto: 150, nap: 3}'], /"quick"/);
    expect(await project.query('select count(*)::int as n, max(id)::int as last from analytics.events')).toEqual([{ n: 100, last: 100 }]);
    await expectOk(project, 'run', '--vars', '{upto: 150}');
    await expectOk(project, 'run', '--vars', '{upto: 150}');
    expect(await project.query('select count(*)::int as n, count(distinct id)::int as ids, sum(amount)::int as total from analytics.events')).toEqual([
      { n: 150, ids: 150, total: 113250 },
    ]);
    expect(await project.query(LEFTOVERS)).toEqual([]);
  });

  it('a microbatch backfill killed between batches leaves whole batches, and the re-run redoes each day once', async () => {
    const project = makeProject(
      {
        'models/events.sql': `{{config materialized="table" event_time="occurred_at"}}
select g as id, timestamptz '2024-01-01 06:00:00+00' + (g % 8) * interval '1 day' as occurred_at from generate_series(1, 80) as g`,
        'models/daily.sql': `{{config materialized="incremental" incremental_strategy="microbatch" event_time="occurred_at" batch_size="day" begin="2024-01-01" lookback=1 concurrent_batches=false}}
select e.id, e.occurred_at, {{var "factor" 1}} as factor from {{ref "events"}} as e cross join (select pg_sleep({{var "nap" 0}})) as nap`,
      },
      backend,
    );
    await expectOk(project, 'run');
    const backfill = ['run', '--threads', '1', '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-09'];
    // Each batch sleeps 0.5 s: the kill lands after a few of the eight have committed.
    await expectKilled(project, [...backfill, '--vars', '{factor: 2, nap: 0.5}', '-s', 'daily'], /Running with/, 1800);
    const perDay = "select to_char(occurred_at at time zone 'UTC', 'DD') as day, count(*)::int as n, min(factor)::int as low, max(factor)::int as high from analytics.daily group by 1 order by 1";
    const killed = await project.query<{ day: string; n: number; low: number; high: number }>(perDay);
    expect(killed.map((row) => [row.day, row.n, row.low === row.high])).toEqual(['01', '02', '03', '04', '05', '06', '07', '08'].map((day) => [day, 10, true]));
    expect(killed.some((row) => row.low === 1), 'the kill landed before the last batch').toBe(true);
    await expectOk(project, ...backfill, '--vars', '{factor: 2}', '-s', 'daily');
    expect(await project.query(perDay)).toEqual(['01', '02', '03', '04', '05', '06', '07', '08'].map((day) => ({ day, n: 10, low: 2, high: 2 })));
    expect(await project.query(LEFTOVERS)).toEqual([]);
  });

  it('a folder seed killed mid-load loads every file exactly once on the re-run', async () => {
    const project = makeProject(
      { 'seeds/sink.yml': "version: 2\nseeds:\n  - name: clicks\n    config:\n      glob: 'clicks/*.ndjson'\n", 'seeds/clicks/part-0000.ndjson': '{"i": 0}\n{"i": 1}\n' },
      backend,
    );
    // One file first, so that the next load is incremental: batches of files, each committed with its state rows.
    await expectOk(project, 'seed');
    for (let f = 1; f < 700; f++) project.write(`seeds/clicks/part-${String(f).padStart(4, '0')}.ndjson`, '{"i": 0}\n{"i": 1}\n');
    await expectKilled(project, ['seed', '--log-format', 'json'], /"event":"load_progress"/, 0);
    const [killed] = await project.query<{ rows: number; files: number; recorded: number }>(
      'select (select count(*)::int from analytics.clicks) as rows, (select count(distinct _file)::int from analytics.clicks) as files, (select count(*)::int from tsdbt_meta.seed_files) as recorded',
    );
    expect(killed!.files, 'the state table names exactly the files whose rows are there').toBe(killed!.recorded);
    expect(killed!.rows, 'each loaded file whole').toBe(2 * killed!.files);
    await expectOk(project, 'seed');
    expect(await project.query('select count(*)::int as n, count(distinct (_file, _record_no))::int as distinct_rows, count(distinct _file)::int as files from analytics.clicks')).toEqual([
      { n: 1400, distinct_rows: 1400, files: 700 },
    ]);
    expect(await project.query(LEFTOVERS)).toEqual([]);
  });
});

describeBackends('two runs at once on one target', (backend: TestBackend) => {
  it('each finishes or stops on the writer lock (exit 2), never with a clash, and the result is one build', async () => {
    const project = makeProject(
      {
        'seeds/people.csv': 'id,name\n1,ann\n2,bob\n',
        'models/slow.sql': '{{config materialized="table"}}\nselect p.*, (select pg_sleep(0.5))::text as nap from {{ref "people"}} as p',
        'models/counts.sql': '{{config materialized="incremental" unique_key="n"}}\nselect count(*) as n from {{ref "slow"}}',
      },
      backend,
    );
    const args = ['build', '--project-dir', project.dir, '--profiles-dir', project.dir];
    const runs = await Promise.all([spawnCli(args), spawnCli(args)]);
    for (const run of runs) {
      if (run.code === 2) expect(run.stderr).toMatch(/lock|in use by another tsdbt process/i);
      else expect(run.code, run.stdout + run.stderr).toBe(0);
    }
    await expectOk(project, 'build');
    expect(await project.query('select count(*)::int as n from analytics.slow')).toEqual([{ n: 2 }]);
    expect(await project.query('select n::int from analytics.counts')).toEqual([{ n: 2 }]);
    expect(await project.query(LEFTOVERS)).toEqual([]);
  });
});

describe('a PostgreSQL restart mid-run (a throwaway cluster)', () => {
  const unavailable = clusterUnavailable();
  if (unavailable && process.env.TSDBT_REQUIRE_PG === '1') throw new Error(`${unavailable}, and TSDBT_REQUIRE_PG=1 requires the restart test`);
  if (unavailable) console.warn(`\n!!! No throwaway PostgreSQL cluster (${unavailable}): the restart test is SKIPPED.\n`);

  let cluster: ThrowawayCluster | undefined;
  beforeAll(async () => {
    if (unavailable) return;
    cluster = await ThrowawayCluster.create();
    await cluster.query('create database restart_test');
  });
  afterAll(() => {
    cluster?.remove();
  });

  it.skipIf(unavailable !== undefined)('the run ends with errors naming the server, and retry finishes the work', async () => {
    const server = cluster!;
    const project = makeProject(
      {
        'profiles.yml': `test:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: ${server.host}\n      port: ${server.port}\n      user: postgres\n      dbname: restart_test\n      schema: analytics\n      threads: 1\n      connect_timeout: 5\n`,
        'models/quick.sql': 'select 1 as id',
        'models/slow.sql': '{{config materialized="table"}}\nselect g as id from generate_series(1, 100) as g cross join (select pg_sleep(3)) as nap',
        'models/after_slow.sql': '{{config materialized="table"}}\nselect count(*) as n from {{ref "slow"}}',
      },
    );
    let restarted: Promise<void> | undefined;
    let hung = false;
    // A run that outlives its sleep many times over is stuck on the dead connection: killed, and the test fails below.
    const interrupted = await spawnCli(['run', '--project-dir', project.dir, '--profiles-dir', project.dir], {
      killAfterMs: 120_000,
      onKill: () => (hung = true),
      onStdout: (output) => {
        if (!restarted && output.includes('"quick"')) {
          restarted = new Promise((resolve) => setTimeout(resolve, 500)).then(() => server.restart('immediate'));
        }
      },
    });
    expect(restarted).toBeDefined();
    // The run fails as the server goes down; on a busy machine the server may still be starting up when it has.
    await restarted;
    expect(hung, 'the run ended instead of hanging').toBe(false);
    expect(interrupted.code, interrupted.stdout + interrupted.stderr).toBe(1);
    expect(interrupted.stdout + interrupted.stderr).toContain(`${server.host}:${server.port}`);
    const retried = await spawnCli(['retry', '--project-dir', project.dir, '--profiles-dir', project.dir]);
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    expect(await server.query('select n::int from analytics.after_slow', 'restart_test')).toEqual([{ n: 100 }]);
    expect(await server.query(LEFTOVERS, 'restart_test')).toEqual([]);
  });
});
