import type { Materialization } from './materialization.js';
import { createAsAndSwap } from './swap.js';

export const table: Materialization = {
  name: 'table',
  producesRelation: true,
  build: (context) => createAsAndSwap(context, 'table'),
};
