{{config materialized="table" schema="analysis"}}
-- The most posted category in each age group; every category tied for first is kept. Ages outside the groups are
-- left out.
with counts as (
    select age_group, category, count(*) as category_count
    from {{ref "pinterest_pins_with_users"}}
    where age_group is not null
    group by age_group, category
),

ranked as (
    -- rank(), not row_number(): ties for first all get rank 1.
    select *, rank() over (partition by age_group order by category_count desc) as position
    from counts
)

select age_group, category, category_count
from ranked
where position = 1
