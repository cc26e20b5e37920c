{{config materialized="table" schema="analysis"}}
-- The exact median follower count per age group and join year (2015 to 2020); ages outside the groups and unknown
-- counts are left out.
select
    age_group,
    join_year as post_year,
    percentile_cont(0.5) within group (order by follower_count) as median_follower_count
from {{ref "pinterest_pins_with_users"}}
where age_group is not null
  and join_year between 2015 and 2020
  and follower_count is not null
group by age_group, join_year
