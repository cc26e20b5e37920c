import { existsSync, readFileSync } from 'node:fs';
import { TsdbtError } from '../core/errors.js';
import type { NodeResult, NodeStatus, RunSummary } from '../core/results.js';
import type { TimeRange } from '../core/render.js';
import { redact } from '../redact.js';
import { writeFileAtomic } from '../util/files.js';
import { TSDBT_VERSION } from '../version.js';
import type { ArtifactMetadata } from './manifest.js';
import type { ArtifactPaths } from './paths.js';

export const RUN_RESULTS_SCHEMA = 'https://tsdbt.dev/schemas/run-results/v1.json';

/** The arguments of the command that wrote the file: what `tsdbt retry` runs again with. */
export interface RunArgs {
  command: string;
  select: string[];
  exclude: string[];
  full_refresh?: boolean;
  event_time_start?: string;
  event_time_end?: string;
  vars?: string;
  target?: string;
  threads?: number;
  /** --state, with --defer or --favor-state: retry defers as the run did. */
  state?: string;
  defer?: boolean;
  favor_state?: boolean;
}

/** One node's result as dbt writes it (snake_case), so tools that read dbt's run_results.json read ours. */
export interface RunResultEntry {
  unique_id: string;
  status: NodeStatus;
  message: string;
  rows_affected: number | null;
  execution_time: number;
  thread_id: string;
  relation_name: string | null;
  failure_location: string | null;
  failures: number | null;
  timing: Array<{ name: 'execute'; started_at?: string; completed_at?: string }>;
  adapter_response: { _message: string; rows_affected: number | null };
  /** A batch is [start, end]. */
  batch_results?: { successful: Array<[string, string]>; failed: Array<[string, string]> };
}

/** target/run_results.json: written by `writeRunResults` only, read by `readRunResults` only (retry, docs). */
export interface RunResultsFile {
  metadata: { tsdbt_schema_version: string; tsdbt_version: string; generated_at: string; invocation_id: string; adapter_type: string; environment?: string };
  results: RunResultEntry[];
  elapsed_time: number;
  cancelled: boolean;
  args: RunArgs;
}

export const RUN_RESULTS_FILE = 'run_results.json';

export function writeRunResults(paths: ArtifactPaths, metadata: ArtifactMetadata, summary: RunSummary, args: RunArgs): void {
  const results = summary.results.map((result: NodeResult): RunResultEntry => ({
    unique_id: result.uniqueId,
    status: result.status,
    message: redact(result.message),
    rows_affected: result.rowsAffected,
    execution_time: result.executionTime,
    thread_id: result.threadId,
    relation_name: result.relation ?? null,
    failure_location: result.location ?? null,
    failures: result.failures ?? null,
    timing: result.startedAt ? [{ name: 'execute', started_at: result.startedAt, completed_at: result.completedAt }] : [],
    adapter_response: { _message: redact(result.message), rows_affected: result.rowsAffected },
    ...(result.batches && {
      batch_results: {
        successful: result.batches.successful.map(rangePair),
        failed: result.batches.failed.map(rangePair),
      },
    }),
  }));
  const file: RunResultsFile = {
    metadata: {
      tsdbt_schema_version: RUN_RESULTS_SCHEMA,
      tsdbt_version: TSDBT_VERSION,
      generated_at: metadata.generatedAt,
      invocation_id: metadata.invocationId,
      adapter_type: metadata.adapterType,
      ...(metadata.environment !== undefined && { environment: metadata.environment }),
    },
    results,
    elapsed_time: summary.elapsedSeconds,
    cancelled: summary.cancelled,
    args,
  };
  writeFileAtomic(paths.file(RUN_RESULTS_FILE), JSON.stringify(file, null, 2));
}

/** The last run's results; undefined when no run wrote any, a usage error when the file cannot be read. */
export function readRunResults(paths: ArtifactPaths): RunResultsFile | undefined {
  const file = paths.file(RUN_RESULTS_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunResultsFile;
  } catch (error) {
    throw new TsdbtError('usage', `${file} cannot be read: ${(error as Error).message}`);
  }
}

/** A batch as dbt writes it: [start, end]. */
function rangePair(range: TimeRange): [string, string] {
  return [range.start.toISOString(), range.end.toISOString()];
}
