{{config materialized="ephemeral"}}
-- Every loaded ambassador document with its ambassador_id, and whether it is the one that counts.
-- Ephemeral: the three cleaned tables read it, nothing else should.
with documents as (
    select
        data,
        _file as source_file,
        _record_no as source_record_no,
        -- The rules name files by their base name (md5('ambassador_0042.json')), wherever the folder is.
        regexp_replace(_file, '^.*/', '') as file_name
    from {{ref "ambassadors"}}
),

identified as (
    select
        *,
        -- trim() is SQL's: spaces only. A user_id that is null, missing, not a string or blank after trimming
        -- falls back to the file's name, so every document still gets a stable id.
        coalesce(nullif(trim(data ->> 'user_id'), ''), md5(file_name)) as ambassador_id
    from documents
)

select
    *,
    -- The file whose name sorts last wins a repeated user_id. "C" collation so the order is the same bytes-wise
    -- order on every server (and in the integration test's TypeScript), not the locale's.
    row_number() over (
        partition by ambassador_id
        order by file_name collate "C" desc, source_file collate "C" desc, source_record_no desc
    ) = 1 as is_current
from identified
