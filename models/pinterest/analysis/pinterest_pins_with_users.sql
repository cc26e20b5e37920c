{{config materialized="ephemeral"}}
-- Posts with their poster's age group and join year (pins x users on ind), shared by the by-age and by-join-year
-- analyses.
select
    pins.ind,
    pins.category,
    pins.follower_count,
    -- The groups of the analysis; an age outside them (under 18) has no group, and the analyses leave it out.
    case
        when users.age between 18 and 24 then '18-24'
        when users.age between 25 and 35 then '25-35'
        when users.age between 36 and 50 then '36-50'
        when users.age > 50 then '50+'
    end as age_group,
    extract(year from users.date_joined)::integer as join_year
from {{ref "pinterest_pins"}} as pins
join {{ref "pinterest_users"}} as users on users.ind = pins.ind
