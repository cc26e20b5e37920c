import type { BatchResults } from '../materializations/materialization.js';

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
  /** The failure's place, where known: the compiled file for a database error. */
  location?: string;
  threadId: string;
  relation?: string;
  kind: string;
  /** Tests: the failing rows found. */
  failures?: number;
  /** Microbatch models: which batches landed and which failed. */
  batches?: BatchResults;
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
