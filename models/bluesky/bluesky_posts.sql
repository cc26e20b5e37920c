{{config materialized="table"}}
{{!-- On Citus, sharded by author. --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="author"}}
{{/if}}
-- One row per loaded BlueSky post (every line the loader kept, repaired ones included), created_at as a timestamptz
-- or NULL when it is not a valid ISO-8601 instant.

with posts as (
    select
        data ->> 'uri' as uri,
        data ->> 'author' as author,
        data ->> 'text' as text,
        data ->> 'created_at' as created_at_text,
        data -> 'has_images' as has_images,
        data ->> 'reply_to' as reply_to
    from {{ref "bluesky_posts_raw"}}
)

select
    uri,
    author,
    text,
    -- PostgreSQL's own cast is both too lenient ('yesterday', 'now' and 'epoch' are instants to it) and fatal on
    -- garbage ('2024-11-27T25:61:00Z' is an error, not a NULL), and pg_input_is_valid needs PostgreSQL 16. So the
    -- text is checked first: date, 'T', time with optional fraction (at most microseconds, what timestamptz keeps),
    -- then 'Z' or an offset +-HH:MM (at most 14 hours, as real zones are). Each WHEN runs only if the previous ones
    -- did not match (the casts below never see text the pattern refused); the day must exist in its month.
    case
        when created_at_text !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$'
            then null
        when left(created_at_text, 4) = '0000' then null  -- there is no year 0
        when substr(created_at_text, 9, 2)::integer > extract(
            day from make_date(left(created_at_text, 4)::integer, substr(created_at_text, 6, 2)::integer, 1) + interval '1 month - 1 day'
        ) then null
        else created_at_text::timestamptz
    end as created_at,
    case when jsonb_typeof(has_images) = 'boolean' then has_images::text::boolean end as has_images,
    reply_to
from posts
