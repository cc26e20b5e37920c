/** Summary statistics of repeated measurements. */
import type { Sample } from './measure.js';

export interface Summary {
  runs: number;
  medianS: number;
  minS: number;
  maxS: number;
  medianPeakMb: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samples: readonly Sample[]): Summary {
  const walls = samples.map((s) => s.wallS);
  return {
    runs: samples.length,
    medianS: median(walls),
    minS: Math.min(...walls),
    maxS: Math.max(...walls),
    medianPeakMb: median(samples.map((s) => s.peakKb)) / 1024,
  };
}

/** Timings taken in this process, as a Summary like the child-process ones (no peak memory: nothing was spawned). */
export function summarizeSeconds(values: readonly number[]): Summary {
  return summarize(values.map((s) => ({ wallS: s, timeWallS: s, peakKb: 0 })));
}
