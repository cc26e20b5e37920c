{{!-- No gap of 30 minutes or more between consecutive interactions inside a session, and every interaction of a
      session's span is counted in it. --}}
with members as (
  select s.session_id, s.actions, i."timestamp",
    i."timestamp" - lag(i."timestamp") over (partition by s.session_id order by i."timestamp") as gap
  from {{ref "user_sessions"}} as s
  join {{ref "fct_interactions"}} as i
    on i.user_id = s.user_id and i."timestamp" between s.session_start and s.session_end
)
select session_id, max(gap) as longest_gap, count(*) as interactions, min(actions) as actions
from members
group by session_id
having max(gap) >= interval '30 minutes' or count(*) <> min(actions)
