import { TsdbtError } from '../core/errors.js';
import { distributionOf } from './distribution.js';
import type { Materialization } from './materialization.js';
import { createAndSwap } from './swap.js';

/** Replaced by the same build-and-swap as tables, so a changed query always lands and readers never see it half-built. */
export const materializedView: Materialization = {
  name: 'materialized_view',
  producesRelation: true,
  /**
   * A distributed engine keeps a materialized view on its coordinator (Citus cannot shard one, nor copy it to every
   * node): one that asks for a distribution is refused, on every target, rather than quietly built local.
   */
  validate(node) {
    const { kind } = distributionOf(node);
    if (kind === 'local') return;
    throw new TsdbtError('config', `model '${node.name}' is a materialized view with distribution '${kind}', and a materialized view cannot be distributed`, {
      location: { file: node.patchPath ?? node.originalFilePath },
      hint: 'materialize it as a table (rebuilt each run, distributed as configured), or remove its distribution configs to keep a materialized view on the coordinator',
    });
  },
  build: (context) => createAndSwap(context, 'materialized_view'),
};
