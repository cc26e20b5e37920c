{{config materialized="table" schema="analysis"}}
select
  (session_start at time zone 'UTC')::date as activity_date,
  count(*)::integer as sessions,
  avg(duration_seconds) as avg_session_duration_seconds,
  avg(actions) as avg_actions_per_session
from {{ref "user_sessions"}}
group by 1
