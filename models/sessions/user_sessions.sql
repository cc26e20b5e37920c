{{!-- A user's valid interactions in time order; a session starts at the first one, after a gap of 30 minutes or
      more, and when the UTC date changes, so a session never spans two days and each day's batch is self-contained. --}}
{{config materialized="incremental" incremental_strategy="microbatch" event_time="session_start" batch_size="day" lookback=1
         begin=(var "sessions_begin" "2020-01-01") refresh_in_one_batch=true schema="incremental"}}
{{!-- On Citus, in fct_interactions' shards: its windows and groups are per user, so each worker sessionises its own users. --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="user_id" colocate_with="fct_interactions"}}
{{/if}}
with ordered as (
  select
    user_id,
    "timestamp" as occurred_at,
    lag("timestamp") over (partition by user_id order by "timestamp") as previous_at
  from {{ref "fct_interactions"}}
),
marked as (
  select
    user_id,
    occurred_at,
    case
      when previous_at is null then 1
      when occurred_at - previous_at >= interval '30 minutes' then 1
      when (occurred_at at time zone 'UTC')::date <> (previous_at at time zone 'UTC')::date then 1
      else 0
    end as starts_session
  from ordered
),
numbered as (
  -- The default frame (range, peers included) gives interactions at the same instant the same session number.
  select user_id, occurred_at, sum(starts_session) over (partition by user_id order by occurred_at) as session_number
  from marked
)
select
  user_id,
  md5(user_id || '|' || to_char(min(occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) as session_id,
  min(occurred_at) as session_start,
  max(occurred_at) as session_end,
  count(*)::integer as actions,
  extract(epoch from max(occurred_at) - min(occurred_at))::numeric as duration_seconds
from numbered
group by user_id, session_number
