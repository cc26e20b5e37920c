{{!-- One row per user. The export repeats some users with conflicting profiles: the most recent join_date wins
      (then the smallest country, device and plan in byte order, so the choice never depends on load order or on the
      database's collation). --}}
{{config materialized="table"}}
{{!-- On Citus, sharded by user (the shard count and column type of fct_interactions put it in their colocation group). --}}
{{#if (eq target.type "citus")}}
{{config distribution_column="user_id"}}
{{/if}}
select distinct on (user_id) user_id, join_date, country, device_type, subscription_type
from {{ref "user_metadata"}}
where user_id <> ''
order by user_id, join_date desc nulls last, country collate "C", device_type collate "C", subscription_type collate "C"
