{{config materialized="table"}}
{{!-- On Citus, sharded by post: geo and users have one row per ind too and are joined on it, shard by shard. --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="ind"}}
{{/if}}
-- One row per post (ind) from the sink's pin topic, placeholders turned into NULL.

with deduplicated as (
    -- The sink delivers at least once: a record may sit in several files. Redeliveries are identical copies, so
    -- keeping the first one seen (by file, then line) is both deterministic and lossless.
    select distinct on ((data ->> 'index')::integer)
        data
    from {{ref "pinterest_pin"}}
    order by (data ->> 'index')::integer, _file, _record_no
)

select
    -- The pin topic calls the key `index`; geo and user call it `ind`, which is the name every model uses.
    (data ->> 'index')::integer as ind,
    data ->> 'unique_id' as unique_id,
    -- The scraper wrote these fixed strings where it found no value: they are missing data, not values.
    nullif(data ->> 'title', 'No Title Data Available') as title,
    case
        when data ->> 'description' in ('No description available', 'No description available Story format') then null
        else data ->> 'description'
    end as description,
    -- Follower counts are abbreviated as shown on the site ("869", "5k", "1M"); anything else ("User Info Error")
    -- is unknown.
    case
        when data ->> 'follower_count' ~ '^[0-9]+$' then (data ->> 'follower_count')::integer
        when data ->> 'follower_count' ~ '^[0-9]+k$' then rtrim(data ->> 'follower_count', 'k')::integer * 1000
        when data ->> 'follower_count' ~ '^[0-9]+M$' then rtrim(data ->> 'follower_count', 'M')::integer * 1000000
    end as follower_count,
    nullif(data ->> 'poster_name', 'User Info Error') as poster_name,
    nullif(data ->> 'tag_list', 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e') as tag_list,
    data ->> 'is_image_or_video' as is_image_or_video,
    nullif(data ->> 'image_src', 'Image src error.') as image_src,
    -- Only the path is information; the prefix is the same on every record.
    regexp_replace(data ->> 'save_location', '^Local save in ', '') as save_location,
    data ->> 'category' as category
from deduplicated
