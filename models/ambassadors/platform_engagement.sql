{{config materialized="table" schema="analysis"}}
-- Per platform. engagement_rate is a ratio of sums, not an average of per-task ratios, and only over the tasks that
-- can be rated: all four metrics known and some reach. NULL when a platform has no such task.
select
    platform,
    count(*) as tasks,
    coalesce(sum(likes), 0) as total_likes,
    coalesce(sum(comments), 0) as total_comments,
    coalesce(sum(shares), 0) as total_shares,
    coalesce(sum(reach), 0) as total_reach,
    sum(likes + comments + shares) filter (where rated)::numeric
        / sum(reach) filter (where rated) as engagement_rate
from (
    select
        *,
        likes is not null and comments is not null and shares is not null and reach is not null and reach > 0 as rated
    from {{ref "tasks_completed"}}
) as tasks
group by platform
