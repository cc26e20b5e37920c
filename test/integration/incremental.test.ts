import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import type { TestBackend } from '../helpers/backends.js';

const SOURCES = `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: events
`;

/** A project reading raw.events (id, account, amount, occurred_at), created here so each test controls the rows. */
async function eventsProject(backend: TestBackend, models: Record<string, string>): Promise<TestProject> {
  const project = makeProject({ 'models/sources.yml': SOURCES, ...models }, backend);
  await project.query('create schema if not exists raw');
  await project.query('drop table if exists raw.events');
  await project.query('create table raw.events (id int, account text, amount numeric, occurred_at timestamptz)');
  return project;
}

async function insertEvents(project: TestProject, rows: Array<[number, string, number, string]>): Promise<void> {
  for (const [id, account, amount, at] of rows) await project.query('insert into raw.events values ($1, $2, $3, $4)', [id, account, amount, at]);
}

async function table(project: TestProject, sql: string) {
  return project.query(sql);
}

async function expectOk(project: TestProject, ...args: string[]) {
  const result = await project.run(...args);
  expect(result.stderr + result.stdout).not.toMatch(/ERROR=[1-9]/);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return result;
}

describeBackends('incremental models', (backend) => {
  describe('append, delete+insert and merge', () => {
    it('append adds only what is_incremental selects, and a rerun of the same increment leaves the same table', async () => {
      const project = await eventsProject(backend, {
        'models/events_log.sql': `{{config materialized="incremental"}}
select id, account, amount from {{source "raw" "events"}}
{{#if (is_incremental)}}where id > (select coalesce(max(id), 0) from {{this}}){{/if}}`,
      });
      await insertEvents(project, [
        [1, 'a', 10, '2024-01-01T00:00:00Z'],
        [2, 'b', 20, '2024-01-01T01:00:00Z'],
      ]);
      const first = await expectOk(project, 'run');
      expect(first.stdout).toMatch(/SELECT 2/);
      await insertEvents(project, [[3, 'a', 5, '2024-01-02T00:00:00Z']]);
      const second = await expectOk(project, 'run');
      expect(second.stdout).toMatch(/INSERT 1/);
      await expectOk(project, 'run');
      expect(await table(project, 'select id, account, amount::int as amount from analytics.events_log order by id')).toEqual([
        { id: 1, account: 'a', amount: 10 },
        { id: 2, account: 'b', amount: 20 },
        { id: 3, account: 'a', amount: 5 },
      ]);
      expect(project.read('target/compiled/test_project/models/events_log.sql')).toMatch(/where id > \(select coalesce\(max\(id\), 0\) from "analytics"\."events_log"\)/);
    });

    it('merge upserts on a composite key with MERGE, then with INSERT ... ON CONFLICT once a unique index exists; merge_update_columns limits updates', async () => {
      const project = await eventsProject(backend, {
        'models/account_days.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key=(list "account" "day")}}
select account, occurred_at::date as day, sum(amount) as total, count(*)::int as events, 'v1' as version
from {{source "raw" "events"}}
{{#if (is_incremental)}}where occurred_at >= (select max(day) from {{this}}){{/if}}
group by 1, 2`,
      });
      await insertEvents(project, [
        [1, 'a', 10, '2024-01-01T00:00:00Z'],
        [2, 'a', 20, '2024-01-02T00:00:00Z'],
        [3, 'b', 7, '2024-01-02T05:00:00Z'],
      ]);
      await expectOk(project, 'run');
      await insertEvents(project, [
        [4, 'a', 1, '2024-01-02T09:00:00Z'],
        [5, 'b', 2, '2024-01-03T00:00:00Z'],
      ]);
      await expectOk(project, 'run');
      expect(project.read('target/run/test_project/models/account_days.sql')).toMatch(/merge into "analytics"\."account_days" as DBT_INTERNAL_DEST/);
      const expected = [
        { account: 'a', day: '2024-01-01', total: 10, events: 1 },
        { account: 'a', day: '2024-01-02', total: 21, events: 2 },
        { account: 'b', day: '2024-01-02', total: 7, events: 1 },
        { account: 'b', day: '2024-01-03', total: 2, events: 1 },
      ];
      const rows = () => table(project, "select account, to_char(day, 'YYYY-MM-DD') as day, total::int as total, events from analytics.account_days order by 1, 2");
      expect(await rows()).toEqual(expected);

      await project.query('create unique index account_days_key on analytics.account_days (day, account)');
      await insertEvents(project, [[6, 'b', 3, '2024-01-03T10:00:00Z']]);
      await expectOk(project, 'run');
      expect(project.read('target/run/test_project/models/account_days.sql')).toMatch(/on conflict \("account", "day"\) do update set/);
      expected[3] = { account: 'b', day: '2024-01-03', total: 5, events: 2 };
      expect(await rows()).toEqual(expected);
      // The same increment again: the same table.
      await expectOk(project, 'run');
      expect(await rows()).toEqual(expected);

      project.write(
        'models/account_days.sql',
        project.read('models/account_days.sql').replace('unique_key=(list "account" "day")', 'unique_key=(list "account" "day") merge_update_columns=(list "events")').replace("'v1'", "'v2'"),
      );
      await insertEvents(project, [[7, 'b', 100, '2024-01-03T11:00:00Z']]);
      await expectOk(project, 'run');
      expect(await table(project, "select total::int as total, events, version from analytics.account_days where account = 'b' and day = '2024-01-03'")).toEqual([
        { total: 5, events: 3, version: 'v1' },
      ]);
    });

    it('delete+insert replaces the rows of the keys in the increment', async () => {
      const project = await eventsProject(backend, {
        'models/latest.sql': `{{config materialized="incremental" incremental_strategy="delete+insert" unique_key="account"}}
select account, max(id) as last_id, sum(amount)::int as total from {{source "raw" "events"}}
{{#if (is_incremental)}}where account in (select account from {{source "raw" "events"}} where id > (select max(last_id) from {{this}})){{/if}}
group by account`,
      });
      await insertEvents(project, [
        [1, 'a', 10, '2024-01-01T00:00:00Z'],
        [2, 'b', 20, '2024-01-01T00:00:00Z'],
      ]);
      await expectOk(project, 'run');
      await insertEvents(project, [[3, 'a', 5, '2024-01-02T00:00:00Z']]);
      await expectOk(project, 'run');
      await expectOk(project, 'run');
      expect(await table(project, 'select account, last_id, total from analytics.latest order by 1')).toEqual([
        { account: 'a', last_id: 3, total: 15 },
        { account: 'b', last_id: 2, total: 20 },
      ]);
      expect(project.read('target/run/test_project/models/latest.sql')).toMatch(/delete from "analytics"\."latest" as DBT_INTERNAL_DEST\nwhere \(DBT_INTERNAL_DEST\."account"\) in/);
    });

    it('incremental_predicates narrow what an increment may replace', async () => {
      const project = await eventsProject(backend, {
        'models/guarded.sql': `{{config materialized="incremental" incremental_strategy="delete+insert" unique_key="account" incremental_predicates=(list "DBT_INTERNAL_DEST.account = 'a'")}}
select account, count(*)::int as events from {{source "raw" "events"}} group by account`,
      });
      await insertEvents(project, [
        [1, 'a', 1, '2024-01-01T00:00:00Z'],
        [2, 'b', 1, '2024-01-01T00:00:00Z'],
      ]);
      await expectOk(project, 'run');
      await insertEvents(project, [[3, 'a', 1, '2024-01-02T00:00:00Z']]);
      await expectOk(project, 'run');
      // b's old row was outside the predicate, so it stays beside the new one.
      expect(await table(project, 'select account, events from analytics.guarded order by 1, 2')).toEqual([
        { account: 'a', events: 2 },
        { account: 'b', events: 1 },
        { account: 'b', events: 1 },
      ]);
    });

    it('a unique_key is required by merge and delete+insert; --full-refresh rebuilds with the swap', async () => {
      const project = await eventsProject(backend, {
        'models/m.sql': '{{config materialized="incremental" incremental_strategy="merge"}}\nselect id from {{source "raw" "events"}}',
      });
      await insertEvents(project, [[1, 'a', 1, '2024-01-01T00:00:00Z']]);
      await expectOk(project, 'run');
      const failed = await project.run('run');
      expect(failed.code).toBe(1);
      expect(failed.stdout + failed.stderr).toMatch(/incremental_strategy 'merge' needs a unique_key/);
      const refreshed = await expectOk(project, 'run', '--full-refresh');
      expect(refreshed.stdout).toMatch(/SELECT 1/);
      expect(project.read('target/run/test_project/models/m.sql')).toMatch(/__tsdbt_tmp_/);
    });
  });

  it('sql_header sets session settings for the statements that build the model, and only for them', async () => {
    const project = await eventsProject(backend, {
      'models/tuned.sql': `{{config materialized="incremental" unique_key="k" sql_header="set local work_mem = '77MB'"}}\nselect 1 as k, current_setting('work_mem') as work_mem`,
      'models/plain.sql': `{{config materialized="table"}}\nselect current_setting('work_mem') as work_mem from {{ref "tuned"}}`,
    });
    await expectOk(project, 'run', '--threads', '1');
    await expectOk(project, 'run', '--threads', '1');
    expect(await table(project, 'select work_mem from analytics.tuned')).toEqual([{ work_mem: '77MB' }]);
    expect(await table(project, 'select work_mem from analytics.plain')).not.toEqual([{ work_mem: '77MB' }]);
  });

  describe('on_schema_change', () => {
    const modes = {
      ignore: { columns: ['id', 'amount'], rows: [{ id: 1, amount: 10 }, { id: 2, amount: 20 }] },
      append_new_columns: { columns: ['id', 'amount', 'account'], rows: [{ id: 1, amount: 10, account: null }, { id: 2, amount: 20, account: 'b' }] },
      sync_all_columns: { columns: ['id', 'account'], rows: [{ id: 1, account: null }, { id: 2, account: 'b' }] },
    } as const;
    for (const [mode, expected] of Object.entries(modes)) {
      it(`${mode}`, async () => {
        const project = await eventsProject(backend, {
          'models/wide.sql': `{{config materialized="incremental" on_schema_change="${mode}"}}\nselect id, amount::int as amount from {{source "raw" "events"}}{{#if (is_incremental)}} where id > (select max(id) from {{this}}){{/if}}`,
        });
        await insertEvents(project, [[1, 'a', 10, '2024-01-01T00:00:00Z']]);
        await expectOk(project, 'run');
        const changed = mode === 'sync_all_columns' ? 'select id, account' : 'select id, amount::int as amount, account';
        project.write('models/wide.sql', project.read('models/wide.sql').replace('select id, amount::int as amount', changed));
        await insertEvents(project, [[2, 'b', 20, '2024-01-02T00:00:00Z']]);
        await expectOk(project, 'run');
        const columns = await table(project, "select column_name from information_schema.columns where table_schema = 'analytics' and table_name = 'wide' order by ordinal_position");
        expect(columns.map((row) => row.column_name)).toEqual(expected.columns);
        expect(await table(project, `select ${expected.columns.join(', ')} from analytics.wide order by id`)).toEqual(expected.rows);
      });
    }

    it('fail refuses a changed model, naming the columns, and leaves the table as it was', async () => {
      const project = await eventsProject(backend, {
        'models/strict.sql': '{{config materialized="incremental" on_schema_change="fail"}}\nselect id, amount from {{source "raw" "events"}}{{#if (is_incremental)}} where id > (select max(id) from {{this}}){{/if}}',
      });
      await insertEvents(project, [[1, 'a', 10, '2024-01-01T00:00:00Z']]);
      await expectOk(project, 'run');
      project.write('models/strict.sql', project.read('models/strict.sql').replace('select id, amount', 'select id, account'));
      await insertEvents(project, [[2, 'b', 20, '2024-01-02T00:00:00Z']]);
      const failed = await project.run('run');
      expect(failed.code).toBe(1);
      expect(failed.stdout + failed.stderr).toMatch(/columns no longer match "analytics"\."strict": added account \(text\); removed amount/);
      expect(await table(project, 'select id, amount::int as amount from analytics.strict')).toEqual([{ id: 1, amount: 10 }]);
    });
  });

  describe('microbatch', () => {
    beforeEach(() => {
      process.env.TSDBT_NOW = '2024-01-05T12:00:00Z';
    });
    afterEach(() => {
      delete process.env.TSDBT_NOW;
    });

    const MODELS = {
      'models/events.sql': '{{config event_time="occurred_at"}}\nselect * from {{source "raw" "events"}}',
      'models/daily_events.sql': `{{config materialized="incremental" incremental_strategy="microbatch" event_time="occurred_at" batch_size="day" begin="2024-01-01" lookback=1}}
select e.id, e.account, e.amount::int as amount, e.occurred_at, '{{batch.start}}'::timestamptz as batch_start,
  1 / (case when e.occurred_at::date = '2024-01-03' and {{var "fail" false}} then 0 else 1 end) as guard
from {{ref "events"}} as e`,
    };
    const DAYS: Array<[number, string, number, string]> = [1, 2, 3, 4, 5].map((day) => [day, 'a', day * 10, `2024-01-0${day}T06:00:00Z`]);
    const perDay = (project: TestProject) =>
      table(project, "select to_char(occurred_at at time zone 'UTC', 'DD') as day, count(*)::int as n, sum(amount)::int as total from analytics.daily_events group by 1 order by 1");

    it('builds every batch from begin, then the lookback window: late rows inside it land, older ones wait for a backfill', async () => {
      const project = await eventsProject(backend, MODELS);
      await insertEvents(project, DAYS);
      const first = await expectOk(project, 'run', '--threads', '4');
      expect(first.stdout).toMatch(/5 batches, INSERT 5/);
      expect(await perDay(project)).toEqual(['01', '02', '03', '04', '05'].map((day, i) => ({ day, n: 1, total: (i + 1) * 10 })));

      // Late events: one in the lookback window (Jan 4), one before it (Jan 2).
      await insertEvents(project, [
        [6, 'b', 1, '2024-01-04T23:00:00Z'],
        [7, 'b', 2, '2024-01-02T01:00:00Z'],
      ]);
      const second = await expectOk(project, 'run');
      expect(second.stdout).toMatch(/2 batches, INSERT 3/);
      await expectOk(project, 'run');
      expect(await perDay(project)).toEqual([
        { day: '01', n: 1, total: 10 },
        { day: '02', n: 1, total: 20 },
        { day: '03', n: 1, total: 30 },
        { day: '04', n: 2, total: 41 },
        { day: '05', n: 1, total: 50 },
      ]);
      // Each batch read only its own day of the upstream model.
      const batchFile = project.read('target/compiled/test_project/models/daily_events/batch_2024-01-04T00.sql');
      expect(batchFile).toContain(`"__tsdbt__batch__events" as not materialized (\n  select * from "analytics"."events"\n  where "occurred_at" >= '2024-01-04 00:00:00+00' and "occurred_at" < '2024-01-05 00:00:00+00'\n)`);
      expect(batchFile).toContain("'2024-01-04 00:00:00+00'::timestamptz as batch_start");

      const backfill = await expectOk(project, 'run', '--event-time-start', '2024-01-02', '--event-time-end', '2024-01-03');
      expect(backfill.stdout).toMatch(/1 batch, INSERT 2/);
      expect((await perDay(project))[1]).toEqual({ day: '02', n: 2, total: 22 });
      expect(await table(project, 'select count(*)::int as n from analytics.daily_events')).toEqual([{ n: 7 }]);

      const refreshed = await expectOk(project, 'run', '--full-refresh');
      expect(refreshed.stdout).toMatch(/5 batches, INSERT 7/);
      expect(await table(project, 'select count(*)::int as n, count(distinct batch_start)::int as batches from analytics.daily_events')).toEqual([{ n: 7, batches: 5 }]);
    });

    it('a failing batch fails alone; retry redoes only it, and so does a plain re-run', async () => {
      const project = await eventsProject(backend, MODELS);
      await insertEvents(project, DAYS);
      const failed = await project.run('run', '--vars', '{fail: true}', '--threads', '2');
      expect(failed.code).toBe(1);
      expect(failed.stdout + failed.stderr).toMatch(/1 of 5 batches failed: 2024-01-03T00:00:00\.000Z: division by zero/);
      const results = JSON.parse(project.read('target/run_results.json')) as { results: Array<{ unique_id: string; status: string; batch_results: { successful: string[][]; failed: string[][] } }> };
      const daily = results.results.find((result) => result.unique_id === 'model.test_project.daily_events')!;
      expect(daily.status).toBe('error');
      expect(daily.batch_results.failed).toEqual([['2024-01-03T00:00:00.000Z', '2024-01-04T00:00:00.000Z']]);
      expect(daily.batch_results.successful).toHaveLength(4);
      expect((await perDay(project)).map((row) => row.day)).toEqual(['01', '02', '04', '05']);

      // Retry reuses the last run's arguments; the cause of the failure is fixed by overriding the var.
      const retried = await expectOk(project, 'retry', '--vars', '{fail: false}');
      expect(retried.stdout).toMatch(/1 batch, INSERT 1/);
      expect((await perDay(project)).map((row) => row.day)).toEqual(['01', '02', '03', '04', '05']);
      const nothing = await expectOk(project, 'retry');
      expect(nothing.stdout).toMatch(/Nothing to retry/);

      // Without retry: the next run redoes the failed batch besides its lookback window.
      expect((await project.run('run', '--vars', '{fail: true}', '--event-time-start', '2024-01-03', '--event-time-end', '2024-01-04')).code).toBe(1);
      const rerun = await expectOk(project, 'run');
      expect(rerun.stdout).toMatch(/3 batches, INSERT 3/);
      expect(await table(project, 'select count(*)::int as n from analytics.daily_events')).toEqual([{ n: 5 }]);
      expect(readdirSync(join(project.dir, 'target/compiled/test_project/models/daily_events')).length).toBe(5);
    });

    it('a TypeScript model reads its refs filtered to the batch too', async () => {
      const project = await eventsProject(backend, {
        'models/events.sql': MODELS['models/events.sql'],
        'models/daily_ts.ts': `export const config = { materialized: 'incremental', incremental_strategy: 'microbatch', event_time: 'occurred_at', batch_size: 'day', begin: '2024-01-01', lookback: 1 };
export default (ctx) => ctx.db.selectFrom(ctx.ref('events') + ' as e').select(['e.id', 'e.occurred_at']);
`,
      });
      await insertEvents(project, DAYS);
      const run = await expectOk(project, 'run');
      expect(run.stdout).toMatch(/5 batches, INSERT 5/);
      expect(project.read('target/compiled/test_project/models/daily_ts/batch_2024-01-02T00.sql')).toMatch(
        /"__tsdbt__batch__events" as not materialized \(\n {2}select \* from "analytics"\."events"\n {2}where "occurred_at" >= '2024-01-02 00:00:00\+00' and "occurred_at" < '2024-01-03 00:00:00\+00'\n\)[\s\S]*from "__tsdbt__batch__events" as "e"/,
      );
      expect(await table(project, 'select count(*)::int as n from analytics.daily_ts')).toEqual([{ n: 5 }]);
    });

    it('needs event_time, batch_size and begin, checked at parse time', async () => {
      const project = await eventsProject(backend, {
        'models/bad.sql': '{{config materialized="incremental" incremental_strategy="microbatch" event_time="occurred_at"}}\nselect 1',
      });
      const result = await project.run('run');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/models\/bad\.sql.*microbatch model 'bad' needs batch_size, begin/);
    });
  });
});
