{{!-- On Citus, a reference table: a copy on every node, for whatever joins it. --}}
{{#if (eq target.type "citus")}}
{{config distribution="reference"}}
{{/if}}
-- One row per hour of the day, with the part of the day it falls in: the clustering pipeline groups posting times by it.
select
  hour_of_day,
  case
    when hour_of_day between 0 and 5 then 'night'
    when hour_of_day between 6 and 11 then 'morning'
    when hour_of_day between 12 and 17 then 'afternoon'
    else 'evening'
  end as day_part,
  hour_of_day between 9 and 17 as is_working_hour
from generate_series(0, 23) as hour_of_day
