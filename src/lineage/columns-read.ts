// TEMPORARY STUB (not committed): replaced by the helper's module.
import type { NodeLineage } from './types.js';
export function columnsRead(lineage: NodeLineage | undefined, parent: string): ReadonlySet<string> | 'all' {
  if (!lineage || lineage.error) return 'all';
  const read = new Set<string>();
  for (const column of Object.values(lineage.columns)) {
    if (column.unresolved) return 'all';
    for (const ref of column.upstream) if (ref.node === parent) read.add(ref.column);
  }
  return read;
}
