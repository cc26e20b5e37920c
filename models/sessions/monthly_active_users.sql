{{config materialized="table" schema="analysis"}}
select date_trunc('month', session_start at time zone 'UTC')::date as activity_month, count(distinct user_id)::integer as active_users
from {{ref "user_sessions"}}
group by 1
