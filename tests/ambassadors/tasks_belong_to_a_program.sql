-- Every task is linked to a program of advocacy_programs by (ambassador_id, program_no). program_id cannot link them:
-- it is NULL for a blank id, which the real export has for 45% of its programs.
select t.ambassador_id, t.program_no, t.task_no
from {{ref "tasks_completed"}} as t
where not exists (
    select 1
    from {{ref "advocacy_programs"}} as p
    where p.ambassador_id = t.ambassador_id and p.program_no = t.program_no
)
