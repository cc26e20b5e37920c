{{!-- No session crosses midnight (UTC). --}}
select session_id, session_start, session_end
from {{ref "user_sessions"}}
where (session_start at time zone 'UTC')::date <> (session_end at time zone 'UTC')::date
