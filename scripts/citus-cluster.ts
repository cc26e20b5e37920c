/**
 * A throwaway 3-node Citus cluster on loopback for CI (.ci/run), from the Citus installed on this machine: a
 * coordinator and two workers (chaos's throwaway PostgreSQL clusters, with Citus preloaded), the extension created and
 * the nodes registered in the coordinator's `postgres` database, where test/helpers/backends.ts reads them.
 *
 *   tsx scripts/citus-cluster.ts <url-file> <pid>
 *
 * Writes the coordinator's URL to <url-file> once the cluster is ready, then keeps it until SIGTERM or SIGINT, or until
 * process <pid> (the CI script) is gone, and removes it: servers stopped, folders deleted. When it removes the cluster it
 * prints the CPU time the three servers used, which the CI log reports as the Citus half's cost beside the test
 * processes' own.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ThrowawayCluster } from '../chaos/cluster.js';

const [urlFile, watchedPid] = process.argv.slice(2);
if (!urlFile || !watchedPid) {
  console.error('usage: tsx scripts/citus-cluster.ts <url-file> <pid to outlive no longer than>');
  process.exit(2);
}

const WORKERS = 2;
const nodes: ThrowawayCluster[] = [];
let removed = false;

/** CPU seconds a server's postmaster and the backends it has reaped used so far (Linux's /proc), or 0 elsewhere. */
function serverCpuSeconds(node: ThrowawayCluster): number {
  try {
    const pid = readFileSync(join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    // Fields after the command's closing parenthesis: utime, stime, cutime and cstime are the 12th to 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
  } catch {
    return 0;
  }
}

function removeAll(): void {
  if (removed) return;
  removed = true;
  const cpu = nodes.reduce((sum, node) => sum + serverCpuSeconds(node), 0);
  for (const node of nodes) node.remove();
  console.log(`citus cluster: removed (its ${nodes.length} servers used ${cpu.toFixed(1)} s of CPU)`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    removeAll();
    process.exit(0);
  });
}
// The CI script may die without signalling this process (SIGKILL): the cluster goes with it all the same.
const watch = setInterval(() => {
  try {
    process.kill(Number(watchedPid), 0);
  } catch {
    removeAll();
    process.exit(0);
  }
}, 1000);

try {
  const settings = { shared_preload_libraries: 'citus' };
  nodes.push(...(await Promise.all(Array.from({ length: WORKERS + 1 }, () => ThrowawayCluster.create({ name: 'citus', settings })))));
  const [coordinator, ...workers] = nodes as [ThrowawayCluster, ...ThrowawayCluster[]];
  await Promise.all(nodes.map((node) => node.query('create extension citus')));
  await coordinator.query(`select citus_set_coordinator_host('${coordinator.host}', ${coordinator.port})`);
  for (const worker of workers) await coordinator.query(`select citus_add_node('${worker.host}', ${worker.port})`);
  // Written whole, then renamed: the CI script reads the file as soon as it appears.
  writeFileSync(`${urlFile}.partial`, coordinator.url());
  renameSync(`${urlFile}.partial`, urlFile);
  console.log(`citus cluster: coordinator ${coordinator.host}:${coordinator.port}, workers ${workers.map((w) => w.port).join(', ')}`);
} catch (error) {
  clearInterval(watch);
  removeAll();
  console.error(`citus cluster: ${(error as Error).message}`);
  process.exit(1);
}
