-- Run once by the Citus coordinator of docker-compose.yml, when its data directory is first initialised (after the
-- image's own script creates the citus extension): registers itself and the two workers, which compose has started
-- healthy (their extension created) before the coordinator starts.
create extension if not exists citus;
select citus_set_coordinator_host('citus-coordinator', 5432);
select citus_add_node('citus-worker1', 5432);
select citus_add_node('citus-worker2', 5432);
