import type { Adapter } from '../adapters/adapter.js';
import type { SourceNode } from '../core/nodes.js';
import type { Reporter } from '../core/reporter.js';
import type { NodeResult } from '../core/results.js';
import { checkFreshness, type FreshnessResult } from './check-freshness.js';

export interface FreshnessSummary {
  results: FreshnessResult[];
  elapsedSeconds: number;
}

/** Checks the sources `threads` at a time (at most what the adapter can run at once), reporting each as it finishes. */
export async function runFreshness(adapter: Adapter, sources: SourceNode[], threads: number, reporter: Reporter): Promise<FreshnessSummary> {
  const started = Date.now();
  const queue = [...sources];
  const results: FreshnessResult[] = [];
  let index = 0;
  // A worker per thread pulls the next source, so Thread-N in sources.json is the connection slot that checked it.
  const worker = async (thread: number) => {
    for (let source = queue.shift(); source; source = queue.shift()) {
      const position = ++index;
      const result = await checkFreshness(adapter, source, `Thread-${thread}`);
      results.push(result);
      reporter.nodeFinished(asNodeResult(result), position, sources.length);
    }
  };
  const concurrency = Math.max(1, Math.min(threads, adapter.concurrency, sources.length));
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i + 1)));
  return { results, elapsedSeconds: (Date.now() - started) / 1000 };
}

/** A stale source is an error like a failed query: both fail the command. */
export function failed(result: FreshnessResult): boolean {
  return result.status === 'error' || result.status === 'runtime error';
}

/** What the reporter prints, as dbt does: `PASS freshness of raw.orders ... [PASS in 0.02s]`, `[ERROR STALE ...]`. */
export function asNodeResult(result: FreshnessResult): NodeResult {
  const label = { pass: 'PASS', warn: 'WARN', error: 'ERROR STALE', 'runtime error': undefined }[result.status];
  return {
    uniqueId: result.source.uniqueId,
    status: failed(result) ? 'error' : (result.status as 'pass' | 'warn'),
    // The first line is what the text output shows in brackets; the rest is there for JSON logs and stderr.
    message: label ? `${label}\n${result.message}` : result.message,
    rowsAffected: null,
    executionTime: (result.completedAt.getTime() - result.startedAt.getTime()) / 1000,
    startedAt: result.startedAt.toISOString(),
    completedAt: result.completedAt.toISOString(),
    location: result.status === 'runtime error' ? result.source.originalFilePath : undefined,
    threadId: result.threadId,
    relation: `${result.source.sourceName}.${result.source.name}`,
    kind: 'freshness of',
  };
}
