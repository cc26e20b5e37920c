{{!-- Every session holds at least one interaction, and ends no earlier than it starts. --}}
select session_id, actions, session_start, session_end
from {{ref "user_sessions"}}
where actions is null or actions < 1 or session_end < session_start
