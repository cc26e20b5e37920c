{{config materialized="incremental" incremental_strategy="merge" unique_key="region" schema="analysis"}}
-- Per region, the clusters of activity_clusters placed in it. Every run upserts: the regions of this run's clusters
-- get a new row (updated_at moves), regions no cluster falls in any more keep the row of the last run that saw them.
-- The whole current result is the increment, on the first run and every later one: no filter on the existing table.
select
    region,
    count(*)::integer as clusters,
    sum(post_count)::bigint as post_count,
    -- The plain average: each cluster counts once, whatever its size.
    avg(confidence) as avg_confidence,
    now() as updated_at
from {{ref "activity_clusters"}}
group by region
