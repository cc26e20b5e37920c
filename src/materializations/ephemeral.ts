import type { Materialization } from './materialization.js';

/** Never built: the compiler inlines it as a CTE into each consumer (templating/compiler.ts). */
export const ephemeral: Materialization = {
  name: 'ephemeral',
  producesRelation: false,
  build: async () => ({ message: 'EPHEMERAL', rowsAffected: null }),
};
