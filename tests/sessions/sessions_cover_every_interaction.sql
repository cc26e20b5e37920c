{{!-- Every valid interaction is in exactly one session: the sessions' actions add up to the interactions. --}}
select sessions.actions, interactions.interaction_count
from (select coalesce(sum(actions), 0) as actions from {{ref "user_sessions"}}) as sessions
cross join (select count(*) as interaction_count from {{ref "fct_interactions"}}) as interactions
where sessions.actions <> interactions.interaction_count
