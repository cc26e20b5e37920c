import type { Rng } from '../scripts/generate-data/prng.js';
import type { HugeRecord } from './loader-corruptions.js';

export type SeedFormat = 'csv' | 'json' | 'ndjson';

/** A seed's files before any damage (a CSV seed has one). */
export interface SeedInput {
  files: Buffer[];
  /** Wraps a huge text as a well-formed record of this format. */
  hugeRecord: HugeRecord;
}

const NAMES = ['Ada', 'Grace Hopper', 'Zoë', '李小龍', 'O"Brien', 'Smith, John', 'multi\nline', 'emoji 😀', ''];
const CSV_HEADER = 'id,name,amount,active,created_at,note';

/** A small valid input of `format`. */
export function generateInput(format: SeedFormat, rng: Rng): SeedInput {
  switch (format) {
    case 'csv': {
      const rows = Array.from({ length: rng.int(0, 12) }, (_, i) => csvRow(rng, i + 1));
      const text = [CSV_HEADER, ...rows].join('\n') + (rng.chance(0.8) ? '\n' : '');
      return { files: [Buffer.from(text)], hugeRecord: (huge) => `0,"${huge}",1.5,true,2024-01-01T00:00:00Z,` };
    }
    case 'ndjson':
      return {
        files: Array.from({ length: rng.int(1, 3) }, () => {
          const lines = Array.from({ length: rng.int(0, 10) }, (_, i) => (rng.chance(0.1) ? '' : JSON.stringify(document(rng, i + 1))));
          return Buffer.from(lines.join('\n') + (rng.chance(0.8) ? '\n' : ''));
        }),
        hugeRecord: (huge) => JSON.stringify({ huge }),
      };
    case 'json':
      return {
        files: Array.from({ length: rng.int(1, 4) }, (_, k) => Buffer.from(JSON.stringify(document(rng, k + 1), null, rng.chance(0.5) ? 2 : undefined))),
        hugeRecord: (huge) => JSON.stringify({ huge }),
      };
  }
}

function csvRow(rng: Rng, id: number): string {
  const name = rng.pick(NAMES);
  const quoted = /[",\n]/.test(name) || rng.chance(0.2) ? `"${name.replaceAll('"', '""')}"` : name;
  const amount = rng.chance(0.2) ? '' : (rng.int(-100000, 100000) / 100).toString();
  const created = new Date(Date.UTC(2024, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 59))).toISOString();
  return [id, quoted, amount, rng.pick(['true', 'false', '']), created, rng.chance(0.5) ? 'café' : ''].join(',');
}

function document(rng: Rng, id: number): Record<string, unknown> {
  return {
    id,
    name: rng.pick(NAMES),
    score: rng.int(-1000, 1000) / 10,
    big: '9007199254740993',
    tags: Array.from({ length: rng.int(0, 3) }, () => rng.hex(4)),
    nested: { active: rng.chance(0.5), at: `2024-0${rng.int(1, 9)}-1${rng.int(0, 9)}T12:00:00Z` },
  };
}
