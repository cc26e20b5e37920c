{{config materialized="incremental" schema="lookup" full_refresh=false}}
{{!-- On Citus, a reference table: a copy on every node, for the programs and analyses that join it. --}}
{{#if (eq target.type "citus")}}
{{config distribution="reference"}}
{{/if}}
-- brand_id is assigned once and never changes: each run appends only the brands it has not seen, numbered after
-- the largest id so far. full_refresh=false keeps the table (and so every id) through `--full-refresh`; ids
-- would otherwise be renumbered and every brand_id stored elsewhere would point at another brand.
with new_brands as (
    select distinct brand
    from {{ref "ambassador_program_documents"}}
    where brand is not null
    {{#if (is_incremental)}}
      and brand not in (select brand from {{this}})
    {{/if}}
)

select
    (
        {{#if (is_incremental)}}(select coalesce(max(brand_id), 0) from {{this}}) +{{/if}}
        -- "C" collation: the same numbering on every server for the same brands.
        row_number() over (order by brand collate "C")
    )::integer as brand_id,
    brand
from new_brands
