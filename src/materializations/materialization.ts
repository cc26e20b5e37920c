import type { RelationKind } from '../adapters/catalog.js';
import type { SwapTarget } from './swap.js';

/** What a materialization gets to build one node. */
export interface MaterializationContext extends SwapTarget {
  /** The node's compiled SELECT. */
  sql: string;
  fullRefresh: boolean;
}

export interface MaterializationResult {
  /** A short summary as dbt prints it: `CREATE VIEW`, `SELECT 1200`. */
  message: string;
  rowsAffected: number | null;
}

/** One module per materialization, registered by name (registry.ts); the runner knows nothing else about them. */
export interface Materialization {
  readonly name: string;
  /** False for ephemeral: it has no relation and is inlined into its consumers as a CTE. */
  readonly producesRelation: boolean;
  build(context: MaterializationContext): Promise<MaterializationResult>;
}

export const SQL_KEYWORD_BY_KIND: Record<RelationKind, string> = {
  table: 'table',
  view: 'view',
  materialized_view: 'materialized view',
  foreign_table: 'foreign table',
};
