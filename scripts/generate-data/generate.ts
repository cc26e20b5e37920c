import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAmbassadors } from './ambassadors.js';
import { writeBluesky } from './bluesky.js';
import { appendInteractionDays, writeInteractions } from './interactions.js';
import { readManifest, writeManifest, type Manifest } from './manifest.js';
import { emptyRecordCounts } from './pinterest-records.js';
import { writeSinkFiles, zeroPerTopic, type SinkState } from './pinterest-sink.js';
import { rngFor } from './prng.js';
import { RATES } from './rates.js';

export interface GenerateOptions {
  out: string;
  /** Pinterest posts; ambassadors are a tenth of it. */
  scale: number;
  seed: number;
  /** Also write issue 8's inputs (interactions/, bluesky/); the CLI does. Default false. */
  issue8?: boolean;
  /** The original user_metadata_sample.csv: interactions' user ids are drawn from it. */
  usersFrom?: string;
}

/** Writes `<out>/ambassadors/`, `<out>/pinterest/topics/` and `<out>/manifest.json` into an empty or new folder. */
export function generate({ out, scale, seed, issue8 = false, usersFrom }: GenerateOptions): Manifest {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`--scale must be a positive integer, got ${scale}`);
  // Files of an earlier, larger run would stay beside the new ones and disagree with the manifest.
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty: generate into a new folder`);
  const ambassadors = writeAmbassadors(seed, Math.floor(scale / 10), join(out, 'ambassadors'));
  const sink: SinkState = {
    topic_id: rngFor(seed, 'topic-id', 0).hex(12),
    // Small runs still get a few dozen files; big ones files of a few hundred records, like a sink's flush size.
    batch_size: Math.max(1, Math.min(500, Math.round(scale / 40))),
    posters: Math.max(20, Math.round(scale / 25)),
    next_ind: 0,
    next_file: 0,
    next_offset: zeroPerTopic(),
    last_file_inds: [0, 0],
  };
  const counts = { files: zeroPerTopic(), lines: zeroPerTopic(), redelivered: zeroPerTopic() };
  const recordCounts = emptyRecordCounts();
  writeSinkFiles(seed, join(out, 'pinterest'), sink, { untilInd: scale }, counts, recordCounts);
  const manifest: Manifest = {
    generator: { version: 1, seed, scale, appends: [] },
    rates: RATES,
    ambassadors,
    pinterest: { records: sink.next_ind, sink, ...counts, ...recordCounts },
  };
  if (issue8) {
    manifest.interactions = writeInteractions(seed, scale, join(out, 'interactions'), usersFrom);
    manifest.bluesky = writeBluesky(seed, scale, join(out, 'bluesky'));
  }
  writeManifest(out, manifest);
  return manifest;
}

/** Adds `files` new sink files per topic after the last ones, touching no existing file but the manifest. */
export function appendSinkFiles(out: string, files: number): Manifest {
  if (!Number.isInteger(files) || files < 1) throw new Error(`--append must be a positive integer, got ${files}`);
  const manifest = readManifest(out);
  const p = manifest.pinterest;
  writeSinkFiles(manifest.generator.seed, join(out, 'pinterest'), p.sink, { maxFiles: files }, p, p);
  p.records = p.sink.next_ind;
  manifest.generator.appends.push(files);
  writeManifest(out, manifest);
  return manifest;
}

/** Appends `days` more days of interactions (issue 8's daily export), touching no other input. */
export function appendInteractions(out: string, days: number): Manifest {
  if (!Number.isInteger(days) || days < 1) throw new Error(`--append-days must be a positive integer, got ${days}`);
  const manifest = readManifest(out);
  if (!manifest.interactions) throw new Error(`${out} has no interactions to append to`);
  appendInteractionDays(manifest.generator.seed, manifest.generator.scale, join(out, 'interactions'), manifest.interactions, days);
  writeManifest(out, manifest);
  return manifest;
}
