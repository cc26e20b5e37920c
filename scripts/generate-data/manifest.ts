import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmbassadorCounts } from './ambassadors.js';
import type { BlueskyCounts } from './bluesky.js';
import type { InteractionCounts } from './interactions.js';
import type { PinterestRecordCounts } from './pinterest-records.js';
import type { SinkCounts, SinkState } from './pinterest-sink.js';
import { RATES } from './rates.js';

/**
 * `<out>/manifest.json`: what was generated and every planted defect, counted, so tests can compute expected
 * results from it without reading the models.
 */
export interface Manifest {
  generator: { version: 1; seed: number; scale: number; appends: number[] };
  rates: typeof RATES;
  ambassadors: AmbassadorCounts;
  pinterest: {
    /** Distinct records per topic: one pin, one geo and one user record for each ind in [0, records). */
    records: number;
    sink: SinkState;
  } & SinkCounts & PinterestRecordCounts;
  /** issue 8: `<out>/interactions/` (pipeline C). */
  interactions?: InteractionCounts;
  /** issue 8: `<out>/bluesky/` (pipeline D). */
  bluesky?: BlueskyCounts;
}

export const manifestPath = (out: string): string => join(out, 'manifest.json');

export function writeManifest(out: string, manifest: Manifest): void {
  writeFileSync(manifestPath(out), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifest(out: string): Manifest {
  const manifest = JSON.parse(readFileSync(manifestPath(out), 'utf8')) as Manifest;
  if (manifest.generator?.version !== 1) throw new Error(`${manifestPath(out)}: not a manifest of this generator`);
  return manifest;
}
