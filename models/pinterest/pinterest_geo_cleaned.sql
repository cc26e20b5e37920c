{{config materialized="table" alias="pinterest_geo"}}
{{!-- On Citus, sharded by post, beside pinterest_pins. --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="ind"}}
{{/if}}
-- One row per post (ind): where and when it was made. The node is named pinterest_geo_cleaned because the seed
-- it reads is already the node pinterest_geo (refs find nodes by name); the table is still named pinterest_geo.

with deduplicated as (
    -- At-least-once delivery: keep one copy of each record (copies are identical; the first seen is kept).
    select distinct on ((data ->> 'ind')::integer)
        data
    from {{ref "pinterest_geo"}}
    order by (data ->> 'ind')::integer, _file, _record_no
)

select
    (data ->> 'ind')::integer as ind,
    data ->> 'country' as country,
    -- One value for the position, as {latitude, longitude}, the order the analyses and the original write-up use.
    array[(data ->> 'latitude')::double precision, (data ->> 'longitude')::double precision] as coordinates,
    -- ISO-8601 without a zone, meaning UTC: a timestamp without time zone keeps it as written.
    (data ->> 'timestamp')::timestamp as "timestamp"
from deduplicated
