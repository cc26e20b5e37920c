/** A labelled, summarised, judged set of samples: what ends up in a table row and in the JSON results. */
import { measureRounds, type Sample, type Task } from './measure.js';
import { summarize, type Summary } from './stats.js';
import { verdict, type Verdict } from './targets.js';
import { megabytes, seconds } from './table.js';

export interface Measurement {
  label: string;
  n: number;
  /** Target for the median wall time, in seconds, if there is one. */
  targetS?: number;
  verdict: Verdict;
  summary: Summary;
  samples: Sample[];
}

export function toMeasurement(label: string, n: number, samples: Sample[], targetS?: number): Measurement {
  const summary = summarize(samples);
  return { label, n, targetS, verdict: verdict(summary.medianS, targetS), summary, samples };
}

/** The measurement without its raw samples, for the summary. */
export function withoutSamples(m: Measurement): Omit<Measurement, 'samples'> {
  return { label: m.label, n: m.n, targetS: m.targetS, verdict: m.verdict, summary: m.summary };
}

/** One line per sample as it is taken: `  <label> <round>/<runs>: <s> s, <MB> MB`. */
export function logSample(task: Task, round: number, runs: number, sample: Sample): void {
  console.log(`  ${task.label} ${round}/${runs}: ${seconds(sample.wallS)} s, ${megabytes(sample.peakKb / 1024)} MB`);
}

/** Measures the tasks round by round (see measureRounds), logging each sample; returns the samples per task. */
export function measureTasks(tasks: readonly Task[], runs: number): Sample[][] {
  return measureRounds(tasks, runs, (task, round, sample) => logSample(task, round, runs, sample));
}
