{{!-- No gap of 30 minutes or more inside a session: wherever a user's consecutive interactions are that far apart,
      a session starts at the later one. (Sessions partition the interactions: sessions_cover_every_interaction.) --}}
with gaps as (
  select user_id, "timestamp" as interaction_at,
    "timestamp" - lag("timestamp") over (partition by user_id order by "timestamp") as gap
  from {{ref "fct_interactions"}}
)
select g.user_id, g.interaction_at, g.gap
from gaps as g
where g.gap >= interval '30 minutes'
  and not exists (
    select 1 from {{ref "user_sessions"}} as s where s.user_id = g.user_id and s.session_start = g.interaction_at
  )
