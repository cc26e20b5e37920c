import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LineWriter } from './line-writer.js';
import { rngFor, type Rng } from './prng.js';
import { RATES } from './rates.js';
import { bump, emptyTally, type Tally } from './tally.js';
import { ADJECTIVES, PINTEREST_CATEGORIES } from './words.js';

const R = RATES.bluesky;
/** issue 8's lookup seed timezone_regions, in its order, with the share of authors living there. */
export const REGIONS: readonly (readonly [string, number, number])[] = [
  ['Hawaii', -10, 1], ['US Pacific', -8, 8], ['US Mountain', -7, 3], ['US Central', -6, 6], ['US Eastern', -5, 12],
  ['South America East', -3, 8], ['UK and West Africa', 0, 8], ['Central Europe', 1, 12], ['Eastern Europe', 2, 5],
  ['Moscow and East Africa', 3, 3], ['Gulf', 4, 2], ['India', 5.5, 6], ['Indochina', 7, 3], ['China and Singapore', 8, 5],
  ['Japan and Korea', 9, 12], ['Australia East', 10, 4], ['New Zealand', 12, 1],
];
const POSTS_PER_FILE = 50_000;
const FIRST_DAY = Date.UTC(2024, 10, 27);
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const UNPARSEABLE = ['not-a-date', 'yesterday', '', 'NaN', '2024-11-27T25:61:00Z'] as const;

export interface BlueskyCounts {
  files: number;
  lines: number;
  authors: number;
  line: Tally<keyof typeof R.line>;
  /** Lines the loader turns into posts (every line but the unrepairable ones). */
  posts: number;
  /** Over posts only. */
  created_at: Tally<keyof typeof R.createdAt>;
  /** Posts with a valid created_at per UTC hour of day (0..23). */
  utc_hour: number[];
  replies: number;
}

const base32 = (rng: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += BASE32.charAt(rng.int(0, 31));
  return s;
};
const authorDid = (seed: number, a: number): string => `did:plc:${base32(rngFor(seed, 'bluesky-author', a), 24)}`;
const authorOf = (seed: number, i: number, authors: number): number => rngFor(seed, 'bluesky-post-author', i).int(0, authors - 1);
const postUri = (seed: number, i: number, authors: number): string =>
  `at://${authorDid(seed, authorOf(seed, i, authors))}/app.bsky.feed.post/${base32(rngFor(seed, 'bluesky-tid', i), 13)}`;

function region(seed: number, a: number): readonly [string, number, number] {
  const weights: Record<string, number> = {};
  for (const [name, , weight] of REGIONS) weights[name] = weight;
  const name = rngFor(seed, 'bluesky-region', a).weighted(weights);
  return REGIONS.find((r) => r[0] === name) ?? REGIONS[0]!;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
function offsetText(hours: number): string {
  const minutes = Math.round(Math.abs(hours) * 60);
  return `${hours < 0 ? '-' : '+'}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/** Writes `<dir>/posts_NNNN.ndjson`, POSTS_PER_FILE lines each; authors post mostly in their region's working hours. */
export function writeBluesky(seed: number, posts: number, dir: string): BlueskyCounts {
  mkdirSync(dir, { recursive: true });
  const authors = Math.max(10, Math.round(posts / 20));
  const counts: BlueskyCounts = {
    files: 0, lines: 0, authors, line: emptyTally(R.line), posts: 0, created_at: emptyTally(R.createdAt),
    utc_hour: new Array<number>(24).fill(0), replies: 0,
  };
  let out: LineWriter | undefined;
  for (let i = 0; i < posts; i++) {
    if (i % POSTS_PER_FILE === 0) {
      out?.close();
      out = new LineWriter(join(dir, `posts_${String(counts.files).padStart(4, '0')}.ndjson`));
      counts.files++;
    }
    const rng = rngFor(seed, 'bluesky-post', i);
    const author = authorOf(seed, i, authors);
    const [, offset] = region(seed, author);
    const lineKind = rng.weighted(R.line);
    const createdKind = rng.weighted(R.createdAt);
    // Local time of day in seconds, then the UTC instant.
    const local = rng.chance(R.workingHours) ? rng.int(9 * 3600, 17 * 3600 - 1) : rng.int(0, 86_399);
    const utcMs = FIRST_DAY + rng.int(0, 6) * 86_400_000 + (local - offset * 3600) * 1000 + rng.int(0, 999);
    const utc = new Date(utcMs).toISOString();
    const createdAt = createdKind === 'utc_z' ? utc
      : createdKind === 'offset' ? `${new Date(utcMs + offset * 3_600_000).toISOString().slice(0, 23)}${offsetText(offset)}`
        : rng.pick(UNPARSEABLE);
    const reply = i > 0 && rng.chance(R.reply);
    const category = rng.pick(PINTEREST_CATEGORIES).replaceAll('-', ' ');
    const post = {
      uri: postUri(seed, i, authors),
      author: authorDid(seed, author),
      text: `${rng.pick(ADJECTIVES)} ${category} today, post ${i}`,
      created_at: createdAt,
      has_images: rng.chance(R.hasImages),
      reply_to: reply ? postUri(seed, rng.int(Math.max(0, i - 1000), i - 1), authors) : null,
    };
    const text = JSON.stringify(post);
    const line = lineKind === 'ok' ? text
      : lineKind === 'trailing_comma' ? text.replace(/}$/, ',}')
        : lineKind === 'single_quotes' ? text.replaceAll('"', "'")
          : rng.pick(['<html><head><title>502 Bad Gateway</title></head></html>', '{"uri": }}}{{', `${text.replaceAll('":', '" = ')}`]);
    out!.write(line);
    counts.lines++;
    bump(counts.line, lineKind);
    if (lineKind === 'unrepairable') continue;
    counts.posts++;
    if (reply) counts.replies++;
    bump(counts.created_at, createdKind);
    if (createdKind !== 'unparseable') counts.utc_hour[new Date(utcMs).getUTCHours()]!++;
  }
  out?.close();
  return counts;
}
