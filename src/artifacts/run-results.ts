import type { NodeResult, RunSummary } from '../core/results.js';
import type { TimeRange } from '../core/render.js';
import { redact } from '../redact.js';
import { writeFileAtomic } from '../util/files.js';
import { TSDBT_VERSION } from '../version.js';
import type { ArtifactMetadata } from './manifest.js';
import type { ArtifactPaths } from './paths.js';

export const RUN_RESULTS_SCHEMA = 'https://tsdbt.dev/schemas/run-results/v1.json';

export function writeRunResults(paths: ArtifactPaths, metadata: ArtifactMetadata, summary: RunSummary, args: Record<string, unknown>): void {
  const results = summary.results.map((result: NodeResult) => ({
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
  writeFileAtomic(
    paths.file('run_results.json'),
    JSON.stringify(
      {
        metadata: {
          tsdbt_schema_version: RUN_RESULTS_SCHEMA,
          tsdbt_version: TSDBT_VERSION,
          generated_at: metadata.generatedAt,
          invocation_id: metadata.invocationId,
          adapter_type: metadata.adapterType,
        },
        results,
        elapsed_time: summary.elapsedSeconds,
        cancelled: summary.cancelled,
        args,
      },
      null,
      2,
    ),
  );
}

/** A batch as dbt writes it: [start, end]. */
function rangePair(range: TimeRange): [string, string] {
  return [range.start.toISOString(), range.end.toISOString()];
}
