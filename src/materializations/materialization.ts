import type { Connection } from '../adapters/adapter.js';
import type { RelationKind } from '../adapters/introspector.js';
import type { GraphNode } from '../core/nodes.js';
import type { BatchResults } from '../core/results.js';
import type { RenderOptions, TimeRange } from '../core/render.js';
import type { ModelOutput } from './model-output.js';
import type { SwapTarget } from './swap.js';

/** Which microbatches a run asks for; the materialization works out the rest from the model's config. */
export interface BatchRequest {
  /** `--event-time-start` / `--event-time-end`: exactly the batches in this range (a backfill). */
  range?: Partial<TimeRange>;
  /** `tsdbt retry`: only these batches. */
  retry?: TimeRange[];
  /** The run's clock (TSDBT_NOW pins it): where the lookback window ends. */
  now: Date;
}

/** What a materialization gets to build one node. */
export interface MaterializationContext extends SwapTarget {
  /**
   * Renders the model: a SQL model through the compiler, a TypeScript model by calling it. `connection` is the one
   * the output will be written on: a model that reads rows while they are written uses it where there is only one.
   */
  render(options: RenderOptions, connection: Connection): Promise<ModelOutput>;
  fullRefresh: boolean;
  /** How many connections it may use at once (microbatch runs batches in parallel). */
  threads: number;
  batches: BatchRequest;
  /** Ctrl-C: a materialization with many steps (microbatch) starts no new one. */
  signal?: AbortSignal;
}

export interface MaterializationResult {
  /** A short summary as dbt prints it: `CREATE VIEW`, `SELECT 1200`. */
  message: string;
  rowsAffected: number | null;
  /** Microbatch: what each batch did; any failed batch makes the node fail, and `tsdbt retry` redoes those only. */
  batches?: BatchResults;
}

/** One module per materialization, registered by name (registry.ts); the runner knows nothing else about them. */
export interface Materialization {
  readonly name: string;
  /** False for ephemeral: it has no relation and is inlined into its consumers as a CTE. */
  readonly producesRelation: boolean;
  /** Checks the node's config at parse time, so a missing setting is a config error naming the file. */
  validate?(node: GraphNode): void;
  build(context: MaterializationContext): Promise<MaterializationResult>;
}

export const SQL_KEYWORD_BY_KIND: Record<RelationKind, string> = {
  table: 'table',
  view: 'view',
  materialized_view: 'materialized view',
  foreign_table: 'foreign table',
};
