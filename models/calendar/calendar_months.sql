{{config materialized="materialized_view" schema="analysis"}}
-- Days and weekend days per month: a quick check that the spine is whole.
select
  dates.month_start,
  count(*) as days,
  count(weekend.date_day) as weekend_days
from {{ref "dim_dates"}} as dates
left join {{ref "int_weekend_days"}} as weekend on weekend.date_day = dates.date_day
group by dates.month_start
