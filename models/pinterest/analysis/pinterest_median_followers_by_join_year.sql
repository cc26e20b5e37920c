{{config materialized="table" schema="analysis"}}
-- The exact median follower count of the posts of users who joined in each year from 2015 to 2020 (unknown counts
-- left out).
select
    join_year as post_year,
    percentile_cont(0.5) within group (order by follower_count) as median_follower_count
from {{ref "pinterest_pins_with_users"}}
where join_year between 2015 and 2020
  and follower_count is not null
group by join_year
