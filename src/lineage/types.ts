/**
 * Column-level lineage: for each output column of a model, the upstream columns (of seeds, sources, snapshots and
 * other models) it derives from. Written to `target/lineage.json` and embedded in the docs site.
 */

/** A column of a node of the graph: `node` is a unique_id (model., seed., source., snapshot.). */
export interface ColumnRef {
  node: string;
  column: string;
}

export interface ColumnLineage {
  /** The upstream columns this column derives from (directly: one hop), each once, in a stable order. */
  upstream: ColumnRef[];
  /** Set when some of the column's derivation could not be resolved: what and why (never a guess). */
  unresolved?: string;
}

export interface NodeLineage {
  /** Output columns in the model's output order. */
  columns: Record<string, ColumnLineage>;
  rowInputs?: ColumnRef[];
  /** Set when the model's SQL could not be analysed at all (it then has no columns here). */
  error?: string;
}

/** Per node unique_id: only SQL models (and TypeScript models returning a Kysely query) appear. */
export type ProjectLineage = Record<string, NodeLineage>;
