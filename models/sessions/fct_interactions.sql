{{!-- Silver: the valid interactions, each distinct row once. Built day by day (a late file or late rows land in
      their own day, redone by the next run's one-day lookback); a first build is one pass over all days. --}}
{{config materialized="incremental" incremental_strategy="microbatch" event_time="timestamp" batch_size="day" lookback=1
         begin=(var "sessions_begin" "2020-01-01") refresh_in_one_batch=true}}
{{!-- On Citus, sharded by user: user_sessions is built beside it, shard by shard. --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="user_id"}}
{{/if}}
with raw_interactions as (
  select user_id, "timestamp", action_type, page_id, duration_ms from {{ref "user_interactions"}}
  union all
  select user_id, "timestamp", action_type, page_id, duration_ms from {{ref "user_interactions_late"}}
)
select distinct user_id, "timestamp", action_type, page_id, duration_ms
from raw_interactions
where user_id <> ''
  and "timestamp" is not null
  and action_type in ('page_view', 'edit', 'create', 'delete', 'share')
  and duration_ms between 0 and 7200000
