{{config materialized="table"}}
{{!-- On Citus, sharded by ambassador: tasks join it on (ambassador_id, program_no) shard by shard. --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="ambassador_id"}}
{{/if}}
-- One row per program of a current ambassador document.
select
    p.ambassador_id,
    p.program_no::integer as program_no,
    p.program_id,
    b.brand_id,
    -- NULL unless a non-negative finite number or numeric string: 'NaN', 'no-data', negatives and null go.
    -- jsonb numbers are always finite; strings are checked for a plain decimal before the cast, which would
    -- otherwise accept 'NaN' and 'Infinity' or fail the build on text.
    case when amount.value >= 0 then amount.value end as total_sales_attributed
from {{ref "ambassador_program_documents"}} as p
left join {{ref "brands"}} as b on b.brand = p.brand
cross join lateral (
    select case jsonb_typeof(p.program -> 'total_sales_attributed')
        when 'number' then (p.program -> 'total_sales_attributed')::numeric
        when 'string' then case
            when trim(p.program ->> 'total_sales_attributed') ~ '^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$'
            then trim(p.program ->> 'total_sales_attributed')::numeric
        end
    end as value
) as amount
