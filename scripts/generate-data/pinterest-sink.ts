import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinterestRecords, type PinterestRecordCounts } from './pinterest-records.js';
import { rngFor } from './prng.js';
import { RATES } from './rates.js';

export const TOPICS = ['pin', 'geo', 'user'] as const;
export type Topic = (typeof TOPICS)[number];
type PerTopic = Record<Topic, number>;

/**
 * Where a sink left off: enough to append more files that continue it exactly (the next ind, file and offsets, and
 * the fresh inds of the last file, whose redeliveries open the next file).
 */
export interface SinkState {
  topic_id: string;
  /** Mean number of fresh records per file. */
  batch_size: number;
  posters: number;
  next_ind: number;
  next_file: number;
  next_offset: PerTopic;
  last_file_inds: [number, number];
}

export interface SinkCounts {
  files: PerTopic;
  /** Lines written, redeliveries included. */
  lines: PerTopic;
  /** Lines that repeat a record already written in the previous file. */
  redelivered: PerTopic;
}

export const zeroPerTopic = (): PerTopic => ({ pin: 0, geo: 0, user: 0 });

export function topicDir(out: string, state: SinkState, topic: Topic): string {
  return join(out, 'topics', `${state.topic_id}.${topic}`, 'partition=0');
}

/** Whether ind's record on topic is delivered a second time, in the file after its first. */
function redelivered(seed: number, topic: Topic, ind: number): boolean {
  return rngFor(seed, `redelivery-${topic}`, ind).chance(RATES.pinterest.redelivery);
}

/** The number of fresh records in sink file `file`: between 1 and twice the mean. */
function fileSize(seed: number, file: number, batchSize: number): number {
  return rngFor(seed, 'sink-file', file).int(1, 2 * batchSize - 1);
}

/**
 * Writes sink files until `untilInd` records exist or `maxFiles` files were added, whichever comes first. Each file
 * holds, per topic, the previous file's records that are redelivered and then its fresh records; it is named like
 * Kafka Connect's S3 sink names objects: `<topic>+<partition>+<start offset>.json`.
 */
export function writeSinkFiles(
  seed: number, out: string, state: SinkState, limits: { untilInd?: number; maxFiles?: number },
  counts: SinkCounts, recordCounts: PinterestRecordCounts,
): void {
  for (const topic of TOPICS) mkdirSync(topicDir(out, state, topic), { recursive: true });
  let added = 0;
  while ((limits.untilInd === undefined || state.next_ind < limits.untilInd)
    && (limits.maxFiles === undefined || added < limits.maxFiles)) {
    let end = state.next_ind + fileSize(seed, state.next_file, state.batch_size);
    if (limits.untilInd !== undefined) end = Math.min(end, limits.untilInd);
    const lines: Record<Topic, string[]> = { pin: [], geo: [], user: [] };
    const [prevStart, prevEnd] = state.last_file_inds;
    for (let ind = prevStart; ind < prevEnd; ind++) {
      const again = TOPICS.filter((topic) => redelivered(seed, topic, ind));
      if (again.length === 0) continue;
      const records = pinterestRecords(seed, ind, state.posters);
      for (const topic of again) {
        lines[topic].push(records[topic]);
        counts.redelivered[topic]++;
      }
    }
    for (let ind = state.next_ind; ind < end; ind++) {
      const records = pinterestRecords(seed, ind, state.posters, recordCounts);
      for (const topic of TOPICS) lines[topic].push(records[topic]);
    }
    for (const topic of TOPICS) {
      const offset = state.next_offset[topic];
      const name = `${state.topic_id}.${topic}+0+${String(offset).padStart(10, '0')}.json`;
      writeFileSync(join(topicDir(out, state, topic), name), `${lines[topic].join('\n')}\n`);
      state.next_offset[topic] = offset + lines[topic].length;
      counts.files[topic]++;
      counts.lines[topic] += lines[topic].length;
    }
    state.last_file_inds = [state.next_ind, end];
    state.next_ind = end;
    state.next_file++;
    added++;
  }
}
