{{config materialized="ephemeral"}}
select date_day, day_name, month_start
from {{ref "dim_dates"}}
where is_weekend
