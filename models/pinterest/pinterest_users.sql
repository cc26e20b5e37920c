{{config materialized="table"}}
{{!-- On Citus, sharded by post, beside pinterest_pins. --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="ind"}}
{{/if}}
-- One row per post (ind): who made it.

with deduplicated as (
    -- At-least-once delivery: keep one copy of each record (copies are identical; the first seen is kept).
    select distinct on ((data ->> 'ind')::integer)
        data
    from {{ref "pinterest_user"}}
    order by (data ->> 'ind')::integer, _file, _record_no
)

select
    (data ->> 'ind')::integer as ind,
    (data ->> 'first_name') || ' ' || (data ->> 'last_name') as user_name,
    (data ->> 'age')::integer as age,
    -- ISO-8601 without a zone, meaning UTC: a timestamp without time zone keeps it as written.
    (data ->> 'date_joined')::timestamp as date_joined
from deduplicated
