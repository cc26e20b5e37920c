{{config materialized="table" schema="analysis"}}
-- The most posted category in each country; every category tied for first is kept.
with counts as (
    select country, category, count(*) as category_count
    from {{ref "pinterest_pins_with_geo"}}
    group by country, category
),

ranked as (
    -- rank(), not row_number(): ties for first all get rank 1.
    select *, rank() over (partition by country order by category_count desc) as position
    from counts
)

select country, category, category_count
from ranked
where position = 1
