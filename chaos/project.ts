import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rngFor } from '../scripts/generate-data/prng.js';
import { CONNECT_TIMEOUT_S } from './cluster.js';

/**
 * The project every trial builds: each materialization (ephemeral, view, table, materialized view, incremental merge,
 * incremental delete+insert, microbatch by day), a snapshot, a CSV seed and a folder seed of many small NDJSON files
 * (a few broken lines among them, so repairs and rejects are counted too). `pg_sleep`s and parallel batches give a
 * kill a window inside every stage, and an `on-run-end` hook keeps every run going a moment past its last node (see
 * FaultMoment). The data is fixed (not drawn from a trial's seed): trials vary the fault, not
 * the input.
 *
 * Version 2 is version 1 plus customers (some of them updated, for the snapshot), more event files and one event
 * file rewritten: a build of version 2 over a build of version 1 is incremental work for every stage.
 */
export type DataVersion = 1 | 2;

export const CHAOS_SCHEMA = 'chaos';
/** Days of events: 2024-01-01 to 2024-01-20. The clock is pinned after them (TSDBT_NOW). */
const EVENT_DAYS = 20;
export const CHAOS_NOW = '2024-01-21T12:00:00Z';
/** A microbatch backfill of every day of events. */
export const BACKFILL_ARGS = ['run', '-s', 'daily_batches', '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-22'];

/** How long the on-run-end hook keeps a run going after its last node: long enough for a fault to land in. */
const RUN_END_SLEEP_S = 0.3;
const DATA_SEED = 20240121;
const CUSTOMERS: Record<DataVersion, number> = { 1: 800, 2: 1000 };
/** More than the JSON loader's 500 files per transaction: a seed from scratch commits three batches, and a kill can land between them. */
const EVENT_FILES: Record<DataVersion, number> = { 1: 600, 2: 1100 };
const EVENTS_PER_FILE = 6;
/** The file version 2 rewrites: changed amounts for the same ids, and rows added. */
const REWRITTEN_FILE = 7;

const FILES: Record<string, string> = {
  'tsdbt_project.yml': `name: chaos
profile: chaos
on-run-end: "select pg_sleep(${RUN_END_SLEEP_S})"
models:
  chaos:
    +materialized: view
`,
  'seeds/events.yml': `version: 2
seeds:
  - name: events
    config:
      glob: 'events/*.ndjson'
`,
  'models/events_clean.sql': `{{config event_time="occurred_at"}}
select (data->>'id')::int as id, (data->>'customer_id')::int as customer_id, (data->>'amount')::numeric as amount,
  (data->>'occurred_at')::timestamptz as occurred_at, _file
from {{ref "events"}}
`,
  'models/stg_customers.sql': `{{config materialized="ephemeral"}}
select id, name, segment, updated_at from {{ref "customers"}}
`,
  'models/customer_totals.sql': `{{config materialized="table"}}
select c.id, c.segment, count(e.id) as events, coalesce(sum(e.amount), 0) as total
from {{ref "stg_customers"}} as c
left join {{ref "events_clean"}} as e on e.customer_id = c.id
cross join (select pg_sleep(0.4)) as window_for_a_kill
group by c.id, c.segment
`,
  'models/segment_summary.sql': `{{config materialized="materialized_view"}}
select segment, count(*) as customers, sum(total) as total from {{ref "customer_totals"}} group by segment
`,
  'models/events_merged.sql': `{{config materialized="incremental" incremental_strategy="merge" unique_key="id"}}
select e.id, e.customer_id, e.amount, e.occurred_at
from {{ref "events_clean"}} as e
cross join (select pg_sleep(0.3)) as window_for_a_kill
`,
  'models/customer_days.sql': `{{config materialized="incremental" incremental_strategy="delete+insert" unique_key=(list "customer_id" "day")}}
select customer_id, (occurred_at at time zone 'UTC')::date as day, count(*) as events, sum(amount) as amount
from {{ref "events_clean"}}
cross join (select pg_sleep(0.3)) as window_for_a_kill
group by 1, 2
`,
  'models/daily_batches.sql': `{{config materialized="incremental" incremental_strategy="microbatch" event_time="occurred_at" batch_size="day" begin="2024-01-01" lookback=1}}
select e.id, e.customer_id, e.amount, e.occurred_at, '{{batch.start}}'::timestamptz as batch_start
from {{ref "events_clean"}} as e
cross join (select pg_sleep(0.1)) as window_for_a_kill
`,
  'snapshots/customers_snapshot.sql': `{{config unique_key="id" strategy="timestamp" updated_at="updated_at"}}
select id, name, segment, updated_at from {{ref "customers"}}
`,
};

/** Writes the project at `version` into `dir`, with a profile for the given PostgreSQL port (and PGlite). */
export function writeChaosProject(dir: string, version: DataVersion, postgresPort: number | undefined): void {
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  for (const [path, content] of Object.entries(FILES)) write(path, content);
  write('profiles.yml', chaosProfile(postgresPort));
  write('seeds/customers.csv', customersCsv(version));
  for (let file = 0; file < EVENT_FILES[version]; file++) write(`seeds/events/part-${String(file).padStart(4, '0')}.ndjson`, eventFile(file, version));
}

/**
 * Targets `postgres` and `pglite`; the database (or PGlite folder) comes from the environment, so one project serves
 * every trial, each on a target of its own.
 */
function chaosProfile(postgresPort: number | undefined): string {
  const postgres =
    postgresPort === undefined
      ? ''
      : `    postgres:
      type: postgres
      host: 127.0.0.1
      port: ${postgresPort}
      user: postgres
      dbname: "{{env_var 'CHAOS_DATABASE' 'chaos'}}"
      schema: ${CHAOS_SCHEMA}
      threads: 4
      connect_timeout: ${CONNECT_TIMEOUT_S}
`;
  return `chaos:
  target: pglite
  outputs:
${postgres}    pglite:
      type: pglite
      path: "{{env_var 'CHAOS_PGLITE_PATH' '.tsdbt/pglite'}}"
      schema: ${CHAOS_SCHEMA}
`;
}

function customersCsv(version: DataVersion): string {
  const lines = ['id,name,segment,updated_at'];
  for (let id = 1; id <= CUSTOMERS[version]; id++) {
    const rng = rngFor(DATA_SEED, 'customer', id);
    const updated = version === 2 && rng.chance(0.1);
    const segment = rng.pick(['retail', 'wholesale', 'online', 'partner']);
    lines.push(`${id},Customer ${id},${updated ? 'churned' : segment},2024-01-${updated ? '20' : '01'} 00:00:00`);
  }
  return `${lines.join('\n')}\n`;
}

function eventFile(file: number, version: DataVersion): string {
  const rng = rngFor(DATA_SEED, 'events', file);
  const rewritten = version === 2 && file === REWRITTEN_FILE;
  const lines: string[] = [];
  for (let i = 0; i < EVENTS_PER_FILE + (rewritten ? 2 : 0); i++) {
    const day = rng.int(1, EVENT_DAYS);
    const event = {
      id: file * 1000 + i,
      customer_id: rng.int(1, CUSTOMERS[1]),
      amount: rng.int(1, 500) * (rewritten ? 2 : 1),
      occurred_at: `2024-01-${String(day).padStart(2, '0')}T${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00Z`,
    };
    lines.push(JSON.stringify(event));
  }
  // Every 50th file has a line the loader repairs (a trailing comma) and one it rejects (not an object).
  if (file % 50 === 0) lines.push(`{"id": ${file * 1000 + 999}, "customer_id": 1, "amount": 1, "occurred_at": "2024-01-01T00:00:00Z",}`, '42');
  return `${lines.join('\n')}\n`;
}
