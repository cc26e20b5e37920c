import type { Materialization } from './materialization.js';
import { buildAndSwap } from './swap.js';

export const table: Materialization = {
  name: 'table',
  producesRelation: true,
  build: (context) => buildAndSwap(context, 'table', (temporary) => `create table ${temporary} as (\n${context.sql}\n)`),
};
