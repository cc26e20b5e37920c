import type { FreshnessThreshold, SourceFreshness } from '../core/nodes.js';

/** dbt's verdicts; `runtime error` is a query that failed, so nothing is known about the source's age. */
export type FreshnessStatus = 'pass' | 'warn' | 'error' | 'runtime error';

const PERIOD_SECONDS: Record<FreshnessThreshold['period'], number> = { minute: 60, hour: 3600, day: 86400 };

export function thresholdSeconds(threshold: FreshnessThreshold): number {
  return threshold.count * PERIOD_SECONDS[threshold.period];
}

/** As dbt decides: error when older than error_after, else warn when older than warn_after, else pass. */
export function freshnessStatus(ageSeconds: number, freshness: SourceFreshness): Exclude<FreshnessStatus, 'runtime error'> {
  if (freshness.error_after && ageSeconds > thresholdSeconds(freshness.error_after)) return 'error';
  if (freshness.warn_after && ageSeconds > thresholdSeconds(freshness.warn_after)) return 'warn';
  return 'pass';
}

/** Whether there is anything to check: dbt skips a source without loaded_at_field or without a threshold. */
export function checksFreshness(source: { loadedAtField?: string; freshness?: SourceFreshness }): boolean {
  return source.loadedAtField !== undefined && (source.freshness?.warn_after !== undefined || source.freshness?.error_after !== undefined);
}

export function describeThreshold(threshold: FreshnessThreshold): string {
  return `${threshold.count} ${threshold.period}${threshold.count === 1 ? '' : 's'}`;
}
