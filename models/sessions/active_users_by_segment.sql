{{!-- Users with interactions but no profile count under a NULL country and subscription_type. --}}
{{config materialized="table" schema="analysis"}}
select
  date_trunc('month', s.session_start at time zone 'UTC')::date as activity_month,
  u.country,
  u.subscription_type,
  count(distinct s.user_id)::integer as active_users
from {{ref "user_sessions"}} as s
left join {{ref "dim_users"}} as u on u.user_id = s.user_id
group by 1, 2, 3
