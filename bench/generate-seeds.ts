/**
 * Writes the raw files of the seed benchmark, deterministically from a seed:
 *
 *   tsx bench/generate-seeds.ts --out DIR [--seed-rows 1000000] [--sink-files 20000] [--seed 42] [--dbname DB]
 *
 * Two projects: DIR/files holds `seeds/wide.csv` (8 mixed columns) and `seeds/events.ndjson` (nested records of
 * ~200 bytes), DIR/sink a folder of one-record JSON files in the Kafka Connect S3 sink layout, declared as the
 * folder seed `pins` (so each benchmark selects one seed). A `profiles.yml` goes beside each project: PostgreSQL
 * database DB with --dbname, else an embedded PGlite.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 } from './generate-project.js';
import { positiveInt } from './lib/args.js';

type Random = () => number;

/** The seeds the benchmark selects, and where their files are in the project. */
export const CSV_SEED = { name: 'wide', file: 'seeds/wide.csv' } as const;
export const NDJSON_SEED = { name: 'events', file: 'seeds/events.ndjson' } as const;
export const SINK_SEED = { name: 'pins', glob: 'pinterest/topics/*.pin/partition=*/*.json' } as const;
export const SEED_SCHEMA = 'seedbench';
/** The PGlite data directory of a pglite profile, relative to the project. */
export const PGLITE_PATH = '.tsdbt/pglite';

export type SeedProfile = { type: 'postgres'; dbname: string; host?: string; port?: number; user?: string; threads?: number } | { type: 'pglite' };

const PROJECT_YML = `name: seedbench\nprofile: seedbench\n`;
const SINK_TOPICS = ['created.pin', 'saved.pin', 'clicked.pin'];
const SINK_PARTITIONS = 4;
const FLUSH_CHARS = 1 << 20;
const DAY_MS = 86_400_000;
const BASE_MS = Date.UTC(2023, 0, 1);
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'café', 'naïve'];
const NOTES = ['plain note', 'has, a comma', 'says "hello"', 'both, "quoted", and commas', 'ends with a comma,', '"starts quoted'];
const OFFSETS = ['Z', '+02:00', '-05:00', '+05:30'];

export function seedProfilesYml(profile: SeedProfile): string {
  const output =
    profile.type === 'pglite'
      ? { type: 'pglite', path: PGLITE_PATH, schema: SEED_SCHEMA }
      : {
          type: 'postgres',
          host: profile.host ?? '127.0.0.1',
          port: profile.port ?? 5432,
          user: profile.user ?? 'postgres',
          dbname: profile.dbname,
          schema: SEED_SCHEMA,
          threads: profile.threads ?? 4,
        };
  const fields = Object.entries(output).map(([key, value]) => `${key}: ${value}`);
  return `seedbench:\n  target: dev\n  outputs:\n    dev: {${fields.join(', ')}}\n`;
}

/** Appends text to a file through a buffer: a million small writes cost a hundred syscalls. */
class BufferedFile {
  private readonly fd: number;
  private buffer = '';

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer);
    this.buffer = '';
  }
}

function randomInt(random: Random, maxExclusive: number): number {
  return Math.floor(random() * maxExclusive);
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[randomInt(random, items.length)]!;
}

function isoDay(random: Random): string {
  return new Date(BASE_MS + randomInt(random, 730) * DAY_MS).toISOString().slice(0, 10);
}

/** An instant with milliseconds, in UTC or with an offset (the wall-clock digits are not adjusted: any instant will do). */
function zonedTimestamp(random: Random): string {
  const iso = new Date(BASE_MS + randomInt(random, 730 * DAY_MS)).toISOString();
  return `${iso.slice(0, 23)}${pick(random, OFFSETS)}`;
}

function code(random: Random): string {
  return `${String.fromCharCode(65 + randomInt(random, 26))}${String.fromCharCode(65 + randomInt(random, 26))}-${randomInt(random, 10_000)}`;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Empty (null) one time in `oneIn`. */
function sometimesNull(random: Random, oneIn: number, value: () => string): string {
  return randomInt(random, oneIn) === 0 ? '' : value();
}

/** id integer, big bigint, amount numeric(2 decimals), active boolean, day date, created_at timestamptz, code and note text. */
function csvRow(random: Random, id: number): string {
  const fields = [
    String(id),
    String(4_294_967_296 + randomInt(random, 1e12)),
    sometimesNull(random, 50, () => (random() * 100_000 - 20_000).toFixed(2)),
    sometimesNull(random, 50, () => (random() < 0.5 ? 'true' : 'false')),
    isoDay(random),
    zonedTimestamp(random),
    code(random),
    csvField(`${pick(random, NOTES)} #${randomInt(random, 1000)}`),
  ];
  return `${fields.join(',')}\n`;
}

export function writeWideCsv(path: string, rows: number, random: Random): void {
  const file = new BufferedFile(path);
  file.write('id,big,amount,active,day,created_at,code,note\n');
  for (let id = 1; id <= rows; id++) file.write(csvRow(random, id));
  file.close();
}

/** ~200 bytes of JSON: a nested object and an array of objects, ASCII and a few accented words (never \x01 or \x02). */
function event(random: Random, id: number): object {
  const items = Array.from({ length: 1 + randomInt(random, 2) }, () => ({ sku: code(random), qty: 1 + randomInt(random, 5) }));
  return {
    id,
    type: pick(random, ['view', 'click', 'purchase']),
    ts: zonedTimestamp(random),
    user: { id: randomInt(random, 1e6), name: `${pick(random, WORDS)} ${pick(random, WORDS)}`, vip: random() < 0.1 },
    items,
    amount: Math.round(random() * 1e6) / 100,
    note: pick(random, NOTES),
  };
}

export function writeEventsNdjson(path: string, records: number, random: Random): void {
  const file = new BufferedFile(path);
  for (let id = 1; id <= records; id++) file.write(`${JSON.stringify(event(random, id))}\n`);
  file.close();
}

function pin(random: Random, topic: string, partition: number, offset: number): object {
  return {
    pin_id: `${partition}-${offset}`,
    event: topic.replace('.pin', ''),
    board_id: randomInt(random, 1e5),
    user: { id: randomInt(random, 1e6), name: pick(random, WORDS) },
    title: `${pick(random, WORDS)} ${pick(random, WORDS)}`,
    tags: Array.from({ length: randomInt(random, 4) }, () => pick(random, WORDS)),
    created_at: zonedTimestamp(random),
  };
}

/** `<topic>/partition=<n>/<topic>+<n>+<offset padded to 10>.json`, one record per file, spread over topics and partitions. */
export function writeSinkFolder(seedsDir: string, files: number, random: Random): void {
  const topicsDir = join(seedsDir, 'pinterest', 'topics');
  const nextOffset = new Map<string, number>();
  for (let i = 0; i < files; i++) {
    const topic = SINK_TOPICS[i % SINK_TOPICS.length]!;
    const partition = Math.floor(i / SINK_TOPICS.length) % SINK_PARTITIONS;
    const dir = join(topicsDir, topic, `partition=${partition}`);
    const offset = nextOffset.get(dir) ?? 0;
    if (offset === 0) mkdirSync(dir, { recursive: true });
    nextOffset.set(dir, offset + 1);
    const name = `${topic}+${partition}+${String(offset).padStart(10, '0')}.json`;
    writeFileSync(join(dir, name), `${JSON.stringify(pin(random, topic, partition, offset))}\n`);
  }
}

function sinkPropertiesYml(): string {
  return `version: 2\nseeds:\n  - name: ${SINK_SEED.name}\n    config:\n      glob: '${SINK_SEED.glob}'\n`;
}

/** `DIR/profiles.yml` with the one output of `profile`. */
export function writeProfiles(dir: string, profile: SeedProfile): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'profiles.yml'), seedProfilesYml(profile));
}

/** `tsdbt_project.yml` (project and profile `seedbench`) and, if asked, a `profiles.yml` beside it. */
export function writeSeedProject(dir: string, profile?: SeedProfile): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tsdbt_project.yml'), PROJECT_YML);
  if (profile) writeProfiles(dir, profile);
}

/** The project files and an empty `seeds/` (replaced; `target/` and `.tsdbt/` are left alone). */
function startProject(dir: string, profile: SeedProfile | undefined): string {
  const seedsDir = join(dir, 'seeds');
  rmSync(seedsDir, { recursive: true, force: true });
  mkdirSync(seedsDir, { recursive: true });
  writeSeedProject(dir, profile);
  return seedsDir;
}

export interface SeedProjectOptions {
  seed?: number;
  profile?: SeedProfile;
}

/** `seeds/wide.csv` with `rows` rows and `seeds/events.ndjson` with `rows` records. */
export function generateFileSeeds(dir: string, rows: number, options: SeedProjectOptions = {}): void {
  startProject(dir, options.profile);
  const seed = options.seed ?? 42;
  writeWideCsv(join(dir, CSV_SEED.file), rows, mulberry32(seed));
  writeEventsNdjson(join(dir, NDJSON_SEED.file), rows, mulberry32(seed + 1));
}

/** The sink folder of `files` one-record JSON files and `seeds/pins.yml` declaring it as one seed. */
export function generateSinkSeed(dir: string, files: number, options: SeedProjectOptions = {}): void {
  const seedsDir = startProject(dir, options.profile);
  writeFileSync(join(seedsDir, `${SINK_SEED.name}.yml`), sinkPropertiesYml());
  writeSinkFolder(seedsDir, files, mulberry32((options.seed ?? 42) + 2));
}

function cli(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      'seed-rows': { type: 'string', default: '1000000' },
      'sink-files': { type: 'string', default: '20000' },
      seed: { type: 'string', default: '42' },
      dbname: { type: 'string' },
    },
  });
  if (!values.out) {
    console.error('usage: tsx bench/generate-seeds.ts --out DIR [--seed-rows N] [--sink-files N] [--seed S] [--dbname DB]');
    process.exit(2);
  }
  const out = resolve(values.out);
  const rows = positiveInt('--seed-rows', values['seed-rows']);
  const files = positiveInt('--sink-files', values['sink-files']);
  const options: SeedProjectOptions = {
    seed: Number(values.seed),
    profile: values.dbname === undefined ? { type: 'pglite' } : { type: 'postgres', dbname: values.dbname },
  };
  generateFileSeeds(join(out, 'files'), rows, options);
  generateSinkSeed(join(out, 'sink'), files, options);
  console.log(`wrote ${join(out, 'files')} (${rows} CSV rows, ${rows} NDJSON records) and ${join(out, 'sink')} (${files} files)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  cli(process.argv.slice(2));
}
