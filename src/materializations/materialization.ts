import type { Adapter, Connection } from '../adapters/adapter.js';
import type { CatalogRelation, RelationKind } from '../adapters/catalog.js';
import type { GraphNode } from '../graph/nodes.js';

/** What a materialization gets to build one node. */
export interface MaterializationContext {
  node: GraphNode;
  /** The node's compiled SELECT. */
  sql: string;
  /** `"schema"."identifier"` */
  relation: string;
  adapter: Adapter;
  /**
   * The relation in the database under the node's name now, if any. Read it on the connection that replaces it:
   * a cascade from another node's rebuild may have dropped it since the run began.
   */
  findExisting(connection: Connection): Promise<CatalogRelation | undefined>;
  /** Unique per run: temporary names derived from it never collide between runs. */
  runId: string;
  fullRefresh: boolean;
  /** Executes one statement and records it for target/run/. */
  run(connection: Connection, sql: string): Promise<{ rowCount: number | null }>;
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
