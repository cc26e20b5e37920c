{{!-- On Citus, a reference table: a copy on every node, for whatever joins it. --}}
{{#if (eq target.type "citus")}}
{{config distribution="reference"}}
{{/if}}
-- One row per calendar day: the date spine daily metrics (sessions, posts) join to.
select
  day::date as date_day,
  extract(isodow from day)::int as iso_day_of_week,
  to_char(day, 'FMDay') as day_name,
  extract(isodow from day) in (6, 7) as is_weekend,
  extract(week from day)::int as iso_week,
  extract(month from day)::int as month_of_year,
  to_char(day, 'FMMonth') as month_name,
  extract(quarter from day)::int as quarter_of_year,
  extract(year from day)::int as year_number,
  date_trunc('month', day)::date as month_start
from generate_series(date '{{var "calendar_start"}}', date '{{var "calendar_end"}}', interval '1 day') as day
