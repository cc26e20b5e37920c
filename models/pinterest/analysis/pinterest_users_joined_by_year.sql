{{config materialized="table" schema="analysis"}}
-- Users (one per ind) who joined in each year from 2015 to 2020.
select
    extract(year from date_joined)::integer as post_year,
    count(*) as number_users_joined
from {{ref "pinterest_users"}}
where extract(year from date_joined) between 2015 and 2020
group by 1
