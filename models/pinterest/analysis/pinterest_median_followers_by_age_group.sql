{{config materialized="table" schema="analysis"}}
-- The exact median follower count of the posts of each age group (percentile_cont interpolates between the two middle
-- values of an even count). Unknown follower counts are left out, not counted as 0.
select
    age_group,
    percentile_cont(0.5) within group (order by follower_count) as median_follower_count
from {{ref "pinterest_pins_with_users"}}
where age_group is not null
  and follower_count is not null
group by age_group
