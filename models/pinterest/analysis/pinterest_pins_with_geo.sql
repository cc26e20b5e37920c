{{config materialized="ephemeral"}}
-- Posts with where and when they were made (pins x geo on ind), shared by the by-country and by-year analyses.
select
    pins.ind,
    pins.category,
    pins.poster_name,
    pins.follower_count,
    geo.country,
    extract(year from geo."timestamp")::integer as post_year
from {{ref "pinterest_pins"}} as pins
join {{ref "pinterest_geo_cleaned"}} as geo on geo.ind = pins.ind
