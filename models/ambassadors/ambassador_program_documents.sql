{{config materialized="ephemeral"}}
-- The programs of the current documents only: a superseded file's programs (and so its tasks) go nowhere.
select
    d.ambassador_id,
    p.program,
    -- The program's place in its document (1, 2, ...): with ambassador_id, the key of a program. program_id cannot be:
    -- the real export has 4,501 programs whose program_id is "" (NULL here, like every blank id).
    p.program_no,
    nullif(trim(p.program ->> 'program_id'), '') as program_id,
    -- Numbers become their text (42 -> '42'); trim() takes the stray spaces. Blank is no brand.
    nullif(trim(p.program ->> 'brand'), '') as brand
from {{ref "ambassador_documents"}} as d
-- Only an array is unpacked: a missing, null or malformed advocacy_programs gives no programs instead of an error.
cross join lateral jsonb_array_elements(
    case when jsonb_typeof(d.data -> 'advocacy_programs') = 'array' then d.data -> 'advocacy_programs' else '[]'::jsonb end
) with ordinality as p(program, program_no)
where d.is_current
