{{config materialized="table" alias="ambassadors"}}
{{!-- On Citus, sharded by ambassador, as programs and tasks are (one colocation group: same column type and shard count). --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="ambassador_id"}}
{{/if}}
-- Named dim_ambassadors because the seed holding the raw documents is `ambassadors`; built as <target>.ambassadors.
-- One row per ambassador: the current document of each ambassador_id (see ambassador_documents).
with current_documents as (
    select * from {{ref "ambassador_documents"}} where is_current
),

cleaned as (
    select
        ambassador_id,
        data ->> 'name' as name,
        -- Lower-cased and trimmed, then kept only if it still looks like an address.
        lower(trim(data ->> 'email')) as email_candidate,
        data ->> 'instagram_handle' as instagram_handle,
        data ->> 'tiktok_handle' as tiktok_handle,
        -- ISO-8601 extended format: a date, or a date-time with optional seconds, fraction and zone (Z, +hh,
        -- +hhmm, +hh:mm). The parts are taken apart here and put together below without a cast that could fail:
        -- one bad value must not fail the whole build (PostgreSQL 15 has no pg_input_is_valid).
        regexp_match(
            data ->> 'joined_at',
            '^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?)?$'
        ) as ts,
        source_file
    from current_documents
),

valid_times as (
    select
        *,
        ts is not null
        and ts[1]::int >= 1
        and ts[2]::int between 1 and 12
        and ts[3]::int between 1 and 31
        -- The day exists in that month: counting days from the 1st must stay in the month (no 2024-02-30).
        and extract(month from make_date(ts[1]::int, ts[2]::int, 1) + (ts[3]::int - 1)) = ts[2]::int
        and coalesce(ts[4]::int, 0) <= 23
        and coalesce(ts[5]::int, 0) <= 59
        and coalesce(ts[6]::numeric, 0) < 60
        and coalesce(ts[9]::int, 0) <= 23
        and coalesce(ts[10]::int, 0) <= 59 as joined_at_is_valid
    from cleaned
)

select
    ambassador_id,
    name,
    case when email_candidate ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then email_candidate end as email,
    instagram_handle,
    tiktok_handle,
    case when joined_at_is_valid then
        -- The wall-clock time read as UTC (a date alone is midnight UTC, as is a time without a zone), then
        -- moved by the offset: 12:00+02:00 is 10:00 UTC.
        (
            (make_date(ts[1]::int, ts[2]::int, 1) + (ts[3]::int - 1))::timestamp
            + make_interval(
                hours => coalesce(ts[4]::int, 0),
                mins => coalesce(ts[5]::int, 0),
                secs => coalesce(ts[6]::numeric, 0)::double precision
            )
        ) at time zone 'UTC'
        - case when ts[8] = '-' then -1 else 1 end
          * make_interval(hours => coalesce(ts[9]::int, 0), mins => coalesce(ts[10]::int, 0))
    end as joined_at,
    -- Where the row came from: the singular test accounts for every loaded record with it.
    source_file
from valid_times
