{{config materialized="table"}}
{{!-- On Citus, sharded by ambassador, beside its programs. --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="ambassador_id"}}
{{/if}}
-- One row per task of a program of a current ambassador document.
with tasks as (
    select
        p.ambassador_id,
        p.program_no,
        p.program_id,
        t.task,
        t.task_no
    from {{ref "ambassador_program_documents"}} as p
    -- Only an array is unpacked (see ambassador_program_documents).
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof(p.program -> 'tasks_completed') = 'array' then p.program -> 'tasks_completed' else '[]'::jsonb end
    ) with ordinality as t(task, task_no)
)

select
    ambassador_id,
    -- (ambassador_id, program_no) is the task's program in advocacy_programs; task_no its place in the program.
    program_no::integer as program_no,
    task_no::integer as task_no,
    program_id,
    -- NULL when null, missing or blank: 4,524 tasks of the real export have none.
    nullif(trim(task ->> 'task_id'), '') as task_id,
    -- Case and surrounding spaces do not matter; whatever is not a known platform (null and numbers too) is Other.
    case lower(trim(task ->> 'platform'))
        when 'instagram' then 'Instagram'
        when 'tiktok' then 'TikTok'
        when 'facebook' then 'Facebook'
        when 'youtube' then 'YouTube'
        when 'twitter' then 'X'
        when 'x' then 'X'
        else 'Other'
    end as platform,
    task ->> 'post_url' as post_url,
    metrics.likes,
    metrics.comments,
    metrics.shares,
    metrics.reach
from tasks
-- The four metrics share one rule, written once: each value is read as a number (a jsonb number, or a string
-- holding a plain decimal; see advocacy_programs) and kept as a bigint only if non-negative and integral.
cross join lateral (
    select
        max(m.value) filter (where m.metric = 'likes') as likes,
        max(m.value) filter (where m.metric = 'comments') as comments,
        max(m.value) filter (where m.metric = 'shares') as shares,
        max(m.value) filter (where m.metric = 'reach') as reach
    from jsonb_each(jsonb_build_object(
        'likes', task -> 'likes', 'comments', task -> 'comments', 'shares', task -> 'shares', 'reach', task -> 'reach'
    )) as raw(metric, json_value)
    cross join lateral (
        select case jsonb_typeof(raw.json_value)
            when 'number' then raw.json_value::numeric
            when 'string' then case
                when trim(raw.json_value #>> '{}') ~ '^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$'
                then trim(raw.json_value #>> '{}')::numeric
            end
        end as number
    ) as parsed
    cross join lateral (
        select
            raw.metric,
            case
                when parsed.number >= 0 and parsed.number = trunc(parsed.number) and parsed.number <= 9223372036854775807
                then parsed.number::bigint
            end as value
    ) as m
) as metrics
