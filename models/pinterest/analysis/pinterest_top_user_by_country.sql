{{config materialized="table" schema="analysis"}}
-- The poster(s) with the most followers in each country. A poster with several such posts appears once (the table
-- is a set); posts whose follower count is unknown (NULL) cannot be the largest and are ignored.
with ranked as (
    select
        country,
        poster_name,
        follower_count,
        rank() over (partition by country order by follower_count desc) as position
    from {{ref "pinterest_pins_with_geo"}}
    where follower_count is not null
)

select distinct country, poster_name, follower_count
from ranked
where position = 1
