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
  /**
   * The upstream columns (of other nodes, one hop) that decide which rows the model has and how they are grouped,
   * joined, ordered, limited or windowed: WHERE, JOIN ON/USING/NATURAL, GROUP BY, HAVING, DISTINCT (ON), ORDER BY,
   * LIMIT/OFFSET, window PARTITION BY/ORDER BY, aggregate FILTER and ORDER BY, at any query level. Sorted, each once.
   * Absent when the model has an `error`, and in lineage written before tsdbt recorded row inputs.
   */
  rowInputs?: ColumnRef[];
  /** Set when some of the row inputs could not be resolved: what and why (never a guess). */
  rowInputsUnresolved?: string;
  /** Set when the model's SQL could not be analysed at all (it then has no columns here). */
  error?: string;
}

/** Per node unique_id: only SQL models (and TypeScript models returning a Kysely query) appear. */
export type ProjectLineage = Record<string, NodeLineage>;
