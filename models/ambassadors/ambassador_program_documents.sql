{{config materialized="ephemeral"}}
-- The programs of the current documents only: a superseded file's programs (and so its tasks) go nowhere.
select
    d.ambassador_id,
    p.program,
    p.program_no,
    p.program ->> 'program_id' as program_id,
    -- Numbers become their text (42 -> '42'); trim() takes the stray spaces. Blank is no brand.
    nullif(trim(p.program ->> 'brand'), '') as brand
from {{ref "ambassador_documents"}} as d
-- Only an array is unpacked: a missing, null or malformed advocacy_programs gives no programs instead of an error.
cross join lateral jsonb_array_elements(
    case when jsonb_typeof(d.data -> 'advocacy_programs') = 'array' then d.data -> 'advocacy_programs' else '[]'::jsonb end
) with ordinality as p(program, program_no)
where d.is_current
