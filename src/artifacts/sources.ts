import type { FreshnessResult } from '../freshness/check-freshness.js';
import type { FreshnessSummary } from '../freshness/freshness-task.js';
import { writeFileAtomic } from '../util/files.js';
import { TSDBT_VERSION } from '../version.js';
import type { ArtifactMetadata } from './manifest.js';
import type { ArtifactPaths } from './paths.js';

export const SOURCES_SCHEMA = 'https://tsdbt.dev/schemas/sources/v1.json';

/** `target/sources.json`, the results of `tsdbt source freshness` in dbt's shape (dbt's sources v3). */
export function writeSources(paths: ArtifactPaths, metadata: ArtifactMetadata, summary: FreshnessSummary): void {
  writeFileAtomic(
    paths.file('sources.json'),
    JSON.stringify(
      {
        metadata: {
          tsdbt_schema_version: SOURCES_SCHEMA,
          tsdbt_version: TSDBT_VERSION,
          generated_at: metadata.generatedAt,
          invocation_id: metadata.invocationId,
          adapter_type: metadata.adapterType,
        },
        results: summary.results.map(sourceResult),
        elapsed_time: summary.elapsedSeconds,
      },
      null,
      2,
    ),
  );
}

function sourceResult(result: FreshnessResult): Record<string, unknown> {
  const uniqueId = result.source.uniqueId;
  // dbt writes only these three for a failed query: nothing is known of the source's age.
  if (result.status === 'runtime error') return { unique_id: uniqueId, error: result.message, status: result.status };
  return {
    unique_id: uniqueId,
    max_loaded_at: result.maxLoadedAt!.toISOString(),
    snapshotted_at: result.snapshottedAt!.toISOString(),
    max_loaded_at_time_ago_in_s: result.ageSeconds,
    status: result.status,
    criteria: {
      warn_after: result.criteria.warn_after ?? { count: null, period: null },
      error_after: result.criteria.error_after ?? { count: null, period: null },
      filter: result.criteria.filter ?? null,
    },
    execution_time: (result.completedAt.getTime() - result.startedAt.getTime()) / 1000,
    thread_id: result.threadId,
    timing: [{ name: 'execute', started_at: result.startedAt.toISOString(), completed_at: result.completedAt.toISOString() }],
    adapter_response: { _message: 'SELECT 1', rows_affected: 1 },
  };
}
