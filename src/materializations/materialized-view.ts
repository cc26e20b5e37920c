import type { Materialization } from './materialization.js';
import { createAndSwap } from './swap.js';

/** Replaced by the same build-and-swap as tables, so a changed query always lands and readers never see it half-built. */
export const materializedView: Materialization = {
  name: 'materialized_view',
  producesRelation: true,
  build: (context) => createAndSwap(context, 'materialized_view'),
};
