import { loadSeed } from '../loaders/seed-loader.js';
import { withHooks } from './hooks.js';
import { executeNode, type NodeRunner } from './node-runner.js';
import type { SeedNode } from '../core/nodes.js';

/** Loads a seed's file or folder of files into its table. */
export const seedRunner: NodeRunner<SeedNode> = {
  runs: () => true,
  kind: (node) => `seed ${node.seed.format} ${node.seed.kind}`,
  run(node, deps, worker) {
    return executeNode(seedRunner, node, deps, worker, (execution) =>
      withHooks(node, deps, execution, () =>
        loadSeed(execution, node.seed, { projectRoot: deps.projectRoot, fullRefresh: deps.fullRefresh || node.config.full_refresh === true, reporter: deps.reporter }),
      ),
    );
  },
};
