/**
 * The project and the data of the incremental benchmark: a raw event table generated in SQL, a view over it, and
 * one sessionising model per strategy (merge, microbatch), both with the same window-function SELECT.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { profilesYml } from '../generate-project.js';

/** The project's name: its compiled and run SQL go to target/compiled/<name>/ and target/run/<name>/. */
export const PROJECT_NAME = 'incbench';
export const RAW_TABLE = 'raw.events';
/** Where the 1% new rows wait, generated once: each incremental run re-lands them in raw.events. */
export const LANDING_TABLE = 'raw.events_new';
export const TARGET_SCHEMA = 'bench';
export const MERGE_MODEL = 'sessions_merge';
export const MICROBATCH_MODEL = 'sessions_microbatch';
export const MODELS = [MERGE_MODEL, MICROBATCH_MODEL] as const;

/** The existing rows span the 60 days from BEGIN; the new ones all fall on the day after (day 61). */
export const BEGIN = '2024-01-01';
export const DAYS = 60;
export const NEW_DAY = '2024-03-01';
/** The run's clock (TSDBT_NOW) for full refreshes: inside the last existing day, so batches end where the data does. */
export const NOW_BEFORE_NEW_DAY = '2024-02-29T12:00:00Z';
/** The run's clock for incremental runs: inside the new day, so microbatch builds it and (lookback 1) the day before. */
export const NOW_IN_NEW_DAY = '2024-03-01T12:00:00Z';
export const USERS = 50_000;
/** Events come in sessions of this many, a couple of minutes apart; a user's sessions are usually hours apart. */
const EVENTS_PER_SESSION = 10;
const SESSION_GAP = '30 minutes';

/**
 * Rows `first`..`first + count - 1` of the synthetic event stream, spread over `days` days from `from`. Pseudo-random
 * by multiplicative hashing of the session number rather than random(), so every run of the benchmark (and every
 * size) gets the same rows. A session starts at most 23 h into its span so its 10 events (97 s apart) stay inside it.
 */
function eventsSelect(first: number, count: number, from: string, days: number): string {
  const spanS = days * 86_400 - 3_600;
  return `select g as event_id,
       1 + ((g / ${EVENTS_PER_SESSION}) * 40503) % ${USERS} as user_id,
       timestamptz '${from} 00:00:00+00'
         + make_interval(secs => ((g / ${EVENTS_PER_SESSION}) * 2654435761) % ${spanS} + (g % ${EVENTS_PER_SESSION}) * 97) as event_time,
       (array['view', 'click', 'scroll', 'add_to_cart', 'purchase'])[1 + (g * 7) % 5] as action,
       ((g * 7919) % 60000)::int as duration_ms
  from generate_series(${first}::bigint, ${first + count - 1}::bigint) as g`;
}

/**
 * raw.events with `rows` rows over 60 days, stored in time order as an event table that is appended to is, indexed on event_time (what both the incremental filter and the
 * microbatch batch filter use), and raw.events_new with rows / 100 rows on day 61, not yet landed.
 */
export function rawDataSql(rows: number): string {
  const newRows = newRowCount(rows);
  return `create schema raw;
create table ${RAW_TABLE} (event_id bigint not null, user_id int not null, event_time timestamptz not null, action text not null, duration_ms int not null);
insert into ${RAW_TABLE}
select * from (
${eventsSelect(0, rows, BEGIN, DAYS)}
) as generated
order by event_time;
create index events_event_time on ${RAW_TABLE} (event_time);
create table ${LANDING_TABLE} as
${eventsSelect(rows, newRows, NEW_DAY, 1)};
analyze ${RAW_TABLE};
analyze ${LANDING_TABLE};`;
}

export function newRowCount(rows: number): number {
  return Math.max(1, Math.round(rows / 100));
}

const PROJECT_YML = `name: ${PROJECT_NAME}
profile: bench
model-paths: [models]
`;

/**
 * Both targets get the indexes an incremental table needs: the unique key (merge's INSERT ... ON CONFLICT) and the
 * event time (the merge model's max(event_time), each batch's delete of its range).
 */
const PROPERTIES_YML = `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: events
models:
  - name: ${MERGE_MODEL}
    config:
      indexes:
        - {columns: [event_id], unique: true}
        - {columns: [event_time]}
  - name: ${MICROBATCH_MODEL}
    config:
      indexes:
        - {columns: [event_time]}
`;

/** A source is never filtered to a batch; a ref to a model with an event_time is. */
const EVENTS_VIEW = `{{config materialized="view" event_time="event_time"}}
select event_id, user_id, event_time, action, duration_ms
from {{source "raw" "events"}}
`;

/**
 * The sessionising SELECT over a CTE \`events\` whose rows may carry \`known_session_start\` (already sessionised rows,
 * given as context): a session starts at an event more than 30 minutes after the user's previous one, and every
 * event gets the start of its session. Session starts only grow, so a running max carries them forward, and one sort
 * (user, time) serves both windows. The session is identified by its start, not by a running count of sessions, so
 * an increment can continue it without reading the user's whole history.
 */
const SESSIONISE = `gaps as (
  select events.*,
         lag(event_time) over by_user as previous_event_time
  from events
  window by_user as (partition by user_id order by event_time, event_id)
),
flagged as (
  select gaps.*,
         previous_event_time is null or event_time - previous_event_time > interval '${SESSION_GAP}' as is_new_session
  from gaps
),
sessionised as (
  select flagged.*,
         max(coalesce(known_session_start, case when is_new_session then event_time end))
           over (partition by user_id order by event_time, event_id rows unbounded preceding) as session_start
  from flagged
)
select event_id, user_id, event_time, action, duration_ms, previous_event_time,
       extract(epoch from event_time - previous_event_time)::int as seconds_since_previous,
       is_new_session,
       session_start,
       user_id::text || '@' || extract(epoch from session_start)::bigint as session_id
from sessionised`;

/**
 * Merge: a first build or full refresh sessionises everything; an incremental run takes the events newer than the
 * target's newest, plus, as context, the target's own last 30 minutes (their sessions are known), so a session that
 * began before the increment continues with its start; only the new events are merged.
 */
const MERGE_MODEL_SQL = `{{config materialized="incremental" incremental_strategy="merge" unique_key="event_id" sql_header="set local jit = off"}}
{{#if (is_incremental)}}
with watermark as (select max(event_time) as newest from {{this}}),
events as (
  select event_id, user_id, event_time, action, duration_ms, null::timestamptz as known_session_start
  from {{ref "events"}}
  where event_time > (select newest from watermark)
  union all
  select event_id, user_id, event_time, action, duration_ms, session_start
  from {{this}}
  where event_time > (select newest from watermark) - interval '${SESSION_GAP}'
),
{{else}}
with events as (
  select event_id, user_id, event_time, action, duration_ms, null::timestamptz as known_session_start
  from {{ref "events"}}
),
{{/if}}
${SESSIONISE}
{{#if (is_incremental)}}
where known_session_start is null
{{/if}}
`;

/** The microbatch model's sql_header, run in each batch's transaction (the psql baseline of the backfill repeats it). */
export const MICROBATCH_SQL_HEADER = "set local work_mem = '64MB'";

/**
 * Microbatch: the same SELECT, over the one day of events the ref is filtered to. Each batch stands alone (batches
 * run in parallel), so a session running over midnight is split: the microbatch trade-off.
 */
const MICROBATCH_MODEL_SQL = `{{config materialized="incremental" incremental_strategy="microbatch" event_time="event_time" batch_size="day" begin="${BEGIN}" lookback=1 sql_header="${MICROBATCH_SQL_HEADER}"}}
with events as (
  select event_id, user_id, event_time, action, duration_ms, null::timestamptz as known_session_start
  from {{ref "events"}}
),
${SESSIONISE}
`;

export interface IncrementalProjectOptions {
  dbname: string;
  host: string;
  port: number;
  user: string;
  /** The profile's pool: batches run in parallel up to min(--threads, pool). */
  threads: number;
}

/** Writes the project and its profiles.yml into `dir` (replacing models/ and target/). */
export function writeIncrementalProject(dir: string, options: IncrementalProjectOptions): void {
  const modelsDir = join(dir, 'models');
  rmSync(modelsDir, { recursive: true, force: true });
  rmSync(join(dir, 'target'), { recursive: true, force: true });
  mkdirSync(modelsDir, { recursive: true });
  writeFileSync(join(dir, 'tsdbt_project.yml'), PROJECT_YML);
  writeFileSync(join(dir, 'profiles.yml'), profilesYml({ ...options, schema: TARGET_SCHEMA }));
  writeFileSync(join(modelsDir, 'properties.yml'), PROPERTIES_YML);
  writeFileSync(join(modelsDir, 'events.sql'), EVENTS_VIEW);
  writeFileSync(join(modelsDir, `${MERGE_MODEL}.sql`), MERGE_MODEL_SQL);
  writeFileSync(join(modelsDir, `${MICROBATCH_MODEL}.sql`), MICROBATCH_MODEL_SQL);
}
