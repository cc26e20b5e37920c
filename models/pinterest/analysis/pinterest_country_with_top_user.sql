{{config materialized="table" schema="analysis"}}
-- The countries whose top poster has the largest follower count of all countries (every tied country is kept).
with top_per_country as (
    select distinct country, follower_count
    from {{ref "pinterest_top_user_by_country"}}
)

select country, follower_count
from top_per_country
where follower_count = (select max(follower_count) from top_per_country)
