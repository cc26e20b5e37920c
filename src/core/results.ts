import type { ErrorLocation } from './errors.js';
import type { TimeRange } from './render.js';

/** Statuses as dbt writes them, so tools that read dbt's run_results.json read ours. */
export type NodeStatus = 'success' | 'error' | 'skipped' | 'pass' | 'warn' | 'fail';

export interface NodeResult {
  uniqueId: string;
  status: NodeStatus;
  message: string;
  rowsAffected: number | null;
  /** Seconds. */
  executionTime: number;
  startedAt?: string;
  completedAt?: string;
  /** The failure's place, where known: the compiled file (file:line:column) for a database error. */
  location?: string;
  /** A failed or warning node's place in its own file: the model, the property file of a test. */
  sourceLocation?: SourcePlace;
  /** The lines of the node's file around `sourceLocation`, with a caret under its column. */
  codeFrame?: string;
  threadId: string;
  relation?: string;
  kind: string;
  /** Tests: the failing rows found. */
  failures?: number;
  /** Microbatch models: which batches landed and which failed. */
  batches?: BatchResults;
}

/** A place in a node's file; `inCallOutput` when the failure lies in what a `{{…}}` call wrote, which is then the place. */
export interface SourcePlace extends ErrorLocation {
  inCallOutput?: boolean;
}

export interface RunSummary {
  results: NodeResult[];
  elapsedSeconds: number;
  cancelled: boolean;
}

export function countByStatus(results: NodeResult[]): Record<NodeStatus, number> {
  const counts: Record<NodeStatus, number> = { success: 0, error: 0, skipped: 0, pass: 0, warn: 0, fail: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}

/** Microbatch models: which batches landed and which failed. */
export interface BatchResults {
  successful: TimeRange[];
  failed: Array<TimeRange & { message: string }>;
}

/** What a node's work reports, before the runner adds timing and places: its result's message, rows and verdict. */
export interface NodeOutcome {
  message: string;
  rowsAffected: number | null;
  batches?: BatchResults;
  /** A test's verdict; otherwise success. */
  status?: 'pass' | 'warn' | 'fail';
  /** A test's failing rows. */
  failures?: number;
  /** Where to look when a test fails or warns: its compiled SQL. */
  location?: string;
}
