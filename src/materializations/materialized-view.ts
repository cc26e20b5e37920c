import type { Materialization } from './materialization.js';
import { buildAndSwap } from './swap.js';

/** Replaced by the same build-and-swap as tables, so a changed query always lands and readers never see it half-built. */
export const materializedView: Materialization = {
  name: 'materialized_view',
  producesRelation: true,
  build: (context) => buildAndSwap(context, 'materialized_view', (temporary) => `create materialized view ${temporary} as (\n${context.sql}\n)`),
};
