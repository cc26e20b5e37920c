import type { NodeLineage } from './types.js';

/**
 * Every column of the node `parent` (a unique_id) that a model reads: those its output columns derive from and its
 * row inputs. `'all'` when that cannot be known precisely: no lineage, an `error`, an `unresolved` column, unresolved
 * row inputs, or lineage written before row inputs were recorded. A `*` reads the columns it expanded to.
 */
export function columnsRead(lineage: NodeLineage | undefined, parent: string): ReadonlySet<string> | 'all' {
  if (!lineage?.rowInputs || lineage.error !== undefined || lineage.rowInputsUnresolved !== undefined) return 'all';
  const read = new Set<string>();
  for (const { node, column } of lineage.rowInputs) if (node === parent) read.add(column);
  for (const { upstream, unresolved } of Object.values(lineage.columns)) {
    if (unresolved !== undefined) return 'all';
    for (const { node, column } of upstream) if (node === parent) read.add(column);
  }
  return read;
}
