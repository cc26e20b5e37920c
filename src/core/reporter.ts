import type { NodeResult, RunSummary } from './results.js';

/** How many of each resource a project holds, by plural noun, in the order dbt's "Found ..." line names them. */
export type ResourceCounts = Array<{ singular: string; plural: string; count: number }>;

/** Where a command's output goes: text for people, JSON lines for machines. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, details?: Record<string, unknown>): void;
  /** What the project holds, before a run starts: `Found 36 models, 9 seeds, 90 data tests`. */
  found(counts: ResourceCounts): void;
  /** A node begins: on a terminal, a long node shows that it is running. */
  nodeStarted(node: StartedNode, index: number, total: number): void;
  nodeFinished(result: NodeResult, index: number, total: number): void;
  /** How a long load is going; shown as a redrawn line on a terminal, as events in JSON. */
  progress(progress: LoadProgress): void;
  runFinished(summary: RunSummary): void;
}

/** What a start line names: the node as its finish line will. */
export type StartedNode = Pick<NodeResult, 'uniqueId' | 'kind' | 'relation'>;

export interface LoadProgress {
  uniqueId: string;
  files: number;
  records: number;
  bytes: number;
  elapsedSeconds: number;
}
