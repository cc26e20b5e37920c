{{config materialized="table" schema="analysis"}}
-- Posts per category and year of posting, for the years the analysis covers (2018 to 2022).
select post_year, category, count(*) as category_count
from {{ref "pinterest_pins_with_geo"}}
where post_year between 2018 and 2022
group by post_year, category
