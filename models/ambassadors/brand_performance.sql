{{config materialized="table" schema="analysis"}}
-- Per brand. Programs and tasks are aggregated separately and then joined, so that a program's tasks do not
-- multiply its sales (and its sales do not multiply its tasks). Programs without a brand have no row.
with programs as (
    select
        b.brand,
        count(distinct p.ambassador_id) as ambassadors,
        count(*) as programs,
        coalesce(sum(p.total_sales_attributed), 0) as total_sales_attributed
    from {{ref "advocacy_programs"}} as p
    join {{ref "brands"}} as b on b.brand_id = p.brand_id
    group by b.brand
),

tasks as (
    select
        b.brand,
        count(*) as tasks,
        sum(t.likes) as total_likes,
        sum(t.comments) as total_comments,
        sum(t.shares) as total_shares,
        sum(t.reach) as total_reach
    from {{ref "tasks_completed"}} as t
    -- By the program's place in its document: program_id is NULL for a blank id, and need not be unique.
    join {{ref "advocacy_programs"}} as p on p.ambassador_id = t.ambassador_id and p.program_no = t.program_no
    join {{ref "brands"}} as b on b.brand_id = p.brand_id
    group by b.brand
)

select
    programs.brand,
    programs.ambassadors,
    programs.programs,
    coalesce(tasks.tasks, 0) as tasks,
    programs.total_sales_attributed,
    -- Sums ignore NULL; 0 when nothing to sum (no tasks, or no non-NULL value).
    coalesce(tasks.total_likes, 0) as total_likes,
    coalesce(tasks.total_comments, 0) as total_comments,
    coalesce(tasks.total_shares, 0) as total_shares,
    coalesce(tasks.total_reach, 0) as total_reach
from programs
left join tasks on tasks.brand = programs.brand
