import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineWriter } from './line-writer.js';
import { rngFor } from './prng.js';

export const METADATA_HEADER = 'user_id,join_date,country,device_type,subscription_type';
const COUNTRIES = ['JP', 'CA', 'MX', 'IN', 'US', 'UK', 'BR', 'DE', 'AU', 'FR'] as const;
const DEVICES = ['Android Tablet', 'Mac', 'iPhone', 'Windows', 'iPad', 'Android Phone'] as const;
const SUBSCRIPTIONS = ['premium', 'basic', 'enterprise', 'free'] as const;

interface UserRows {
  /** The user ids interactions are drawn from, in order. */
  ids: string[];
  /** The metadata file's rows, header excluded. */
  rows: string[];
}

/**
 * The users and their metadata rows. With `sample` (the original user_metadata_sample.csv), the ids are the first
 * `count` distinct ids of the sample, in file order, with the sample's rows of those ids verbatim (the sample repeats
 * some ids: all their rows are kept); otherwise the ids and metadata are synthetic, with the sample's value domains.
 */
export function interactionUsers(seed: number, count: number, sample?: string): UserRows {
  const ids: string[] = [];
  const rows: string[] = [];
  if (sample !== undefined) {
    const lines = readFileSync(sample, 'utf8').split(/\r?\n/);
    if (lines[0] !== METADATA_HEADER) throw new Error(`${sample}: expected the header ${METADATA_HEADER}`);
    const chosen = new Set<string>();
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const id = line.slice(0, line.indexOf(','));
      if (!chosen.has(id) && chosen.size < count) {
        chosen.add(id);
        ids.push(id);
      }
      if (chosen.has(id)) rows.push(line);
    }
    return { ids, rows };
  }
  for (let i = 0; i < count; i++) {
    const rng = rngFor(seed, 'interaction-user', i);
    const id = syntheticUserId(i);
    ids.push(id);
    const joined = new Date(Date.UTC(2020, 0, 1) + rng.int(0, 4 * 365) * 86_400_000).toISOString().slice(0, 10);
    rows.push([id, joined, rng.pick(COUNTRIES), rng.pick(DEVICES), rng.pick(SUBSCRIPTIONS)].join(','));
  }
  return { ids, rows };
}

export interface InteractionUsers {
  /** The user ids interactions are drawn from, in order. */
  ids: string[];
  /** 'synthetic', or the path of the metadata sample the ids were drawn from. */
  source: string;
  metadata_rows: number;
}

/** A synthetic id in the sample's format (u + 6 digits); distinct for i < 900,000 (7919 is prime to 900,000). */
export const syntheticUserId = (i: number): string => `u${String(100_000 + ((i * 7919) % 900_000))}`;

/** Writes `<dir>/user_metadata.csv` for `count` users (see interactionUsers) and returns their ids. */
export function writeInteractionUsers(seed: number, count: number, dir: string, sample?: string): InteractionUsers {
  const { ids, rows } = interactionUsers(seed, count, sample);
  const out = new LineWriter(join(dir, 'user_metadata.csv'));
  out.write(METADATA_HEADER);
  for (const row of rows) out.write(row);
  out.close();
  return { ids, source: sample ?? 'synthetic', metadata_rows: rows.length };
}
