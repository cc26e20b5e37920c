import type { Materialization } from './materialization.js';
import { createAndSwap } from './swap.js';

export const table: Materialization = {
  name: 'table',
  producesRelation: true,
  build: (context) => createAndSwap(context, 'table'),
};
