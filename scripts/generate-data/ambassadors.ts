import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rngFor, type Rng } from './prng.js';
import { RATES } from './rates.js';
import { bump, emptyTally, type Tally } from './tally.js';
import { BRANDS, FIRST_NAMES, LAST_NAMES, PLATFORMS } from './words.js';

const R = RATES.ambassador;
type JsonKind = keyof typeof R.json;
type UserIdKind = keyof typeof R.userId;

/** How far back a duplicate looks for the file whose user_id it repeats. */
const DUPLICATE_WINDOW = 50;

/**
 * What is planted, counted over the files as written. `json` and `user_id` count every file; the other fields count
 * only the documents whose whole content survives in the file (not truncated, not unrepairable), because a
 * truncated file loses what was planted after the cut. Bare NaN repairs to the string "NaN", so it counts as
 * `nan_string` there.
 */
export interface AmbassadorCounts {
  files: number;
  json: Tally<JsonKind>;
  user_id: Tally<Exclude<UserIdKind, 'duplicate'>>;
  /** Files holding a user_id that another file also holds (the repeated ones and the ones they repeat), and those ids. */
  duplicate_user_id: { files: number; ids: number };
  documents_with_fields_counted: number;
  email: Tally<keyof typeof R.email>;
  joined_at: Tally<keyof typeof R.joinedAt>;
  advocacy_programs: Tally<keyof typeof R.programs>;
  programs: number;
  brand: Tally<keyof typeof R.brand>;
  program_id: Tally<keyof typeof R.programId>;
  total_sales_attributed: Tally<keyof typeof R.totalSales>;
  tasks_completed: Tally<keyof typeof R.tasks>;
  tasks: number;
  task_id: Tally<keyof typeof R.taskId>;
  platform: Tally<keyof typeof R.platform>;
  /** likes, comments, shares and reach together. */
  metrics: Tally<keyof typeof R.metric>;
}

interface Header {
  json: JsonKind;
  userId: UserIdKind;
  /** For a duplicate: the index of the file whose user_id it repeats, when that file holds one to repeat. */
  duplicateOf: number | undefined;
}

/** The decisions a later duplicate needs about file i, drawn from their own stream so they are cheap to redraw. */
function header(seed: number, i: number): Header {
  const rng = rngFor(seed, 'ambassador-header', i);
  const json = rng.weighted(R.json);
  const userId = rng.weighted(R.userId);
  const target = i - 1 - rng.int(0, DUPLICATE_WINDOW - 1);
  return { json, userId, duplicateOf: userId === 'duplicate' ? target : undefined };
}

/** A file's user_id can be repeated when it is a plain one that the loader will see. */
function repeatable(h: Header): boolean {
  return h.userId === 'ok' && h.json !== 'unrepairable';
}

export const userIdOf = (i: number): string => `u_${String(i).padStart(6, '0')}`;
export const ambassadorFileName = (i: number): string => `ambassador_${String(i).padStart(6, '0')}.json`;

/** Marks a value to be written as a bare NaN token in a `bare_nan` document. */
const BARE_NAN = '\u0000bare-nan\u0000';

export function emptyAmbassadorCounts(): AmbassadorCounts {
  return {
    files: 0,
    json: emptyTally(R.json),
    user_id: { ok: 0, padded: 0, null: 0, empty: 0, missing: 0 },
    duplicate_user_id: { files: 0, ids: 0 },
    documents_with_fields_counted: 0,
    email: emptyTally(R.email),
    joined_at: emptyTally(R.joinedAt),
    advocacy_programs: emptyTally(R.programs),
    programs: 0,
    brand: emptyTally(R.brand),
    program_id: emptyTally(R.programId),
    total_sales_attributed: emptyTally(R.totalSales),
    tasks_completed: emptyTally(R.tasks),
    tasks: 0,
    task_id: emptyTally(R.taskId),
    platform: emptyTally(R.platform),
    metrics: emptyTally(R.metric),
  };
}

/** Field counts for one document, merged into the totals only if its content survives in the file. */
type FieldCounts = Omit<AmbassadorCounts, 'files' | 'json' | 'user_id' | 'duplicate_user_id' | 'documents_with_fields_counted'>;

export function writeAmbassadors(seed: number, count: number, dir: string): AmbassadorCounts {
  mkdirSync(dir, { recursive: true });
  const counts = emptyAmbassadorCounts();
  const repeatedTargets = new Set<number>();
  let duplicates = 0;
  for (let i = 0; i < count; i++) {
    const h = header(seed, i);
    let userIdKind: UserIdKind = h.userId;
    let userId: string | null | undefined = userIdOf(i);
    if (h.duplicateOf !== undefined) {
      if (h.duplicateOf >= 0 && repeatable(header(seed, h.duplicateOf))) {
        userId = userIdOf(h.duplicateOf);
        if (h.json !== 'unrepairable') {
          duplicates++;
          repeatedTargets.add(h.duplicateOf);
        }
      } else {
        userIdKind = 'ok';
      }
    }
    const body = rngFor(seed, 'ambassador-body', i);
    // Padding is spaces only: "trimmed" in the rules is SQL's trim(), which leaves tabs.
    if (userIdKind === 'padded') userId = body.pick([' ', '  ', '   ']) + userIdOf(i) + body.pick([' ', '  ', '']);
    else if (userIdKind === 'null') userId = null;
    else if (userIdKind === 'empty') userId = body.pick(['', ' ', '   ']);
    else if (userIdKind === 'missing') userId = undefined;

    const fields = emptyAmbassadorCounts() as FieldCounts;
    // Program and task ids are drawn from a stream of their own, so adding them left every other draw as it was.
    const ids = rngFor(seed, 'ambassador-ids', i);
    const doc = ambassadorDocument({ body, ids }, i, userId, h.json === 'bare_nan', fields);
    writeFileSync(join(dir, ambassadorFileName(i)), render(body, doc, h.json));

    counts.files++;
    bump(counts.json, h.json);
    if (h.json !== 'unrepairable') bump(counts.user_id, userIdKind === 'duplicate' ? 'ok' : userIdKind);
    if (h.json !== 'unrepairable' && h.json !== 'truncated') {
      counts.documents_with_fields_counted++;
      mergeFields(counts, fields);
    }
  }
  counts.duplicate_user_id = { files: duplicates + repeatedTargets.size, ids: repeatedTargets.size };
  return counts;
}

function mergeFields(into: AmbassadorCounts, from: FieldCounts): void {
  for (const key of Object.keys(from) as (keyof FieldCounts)[]) {
    const value = from[key];
    if (typeof value === 'number') (into[key] as number) += value;
    else {
      const tally = into[key] as Record<string, number>;
      for (const [kind, n] of Object.entries(value)) tally[kind] = (tally[kind] ?? 0) + n;
    }
  }
}

/** The document's own draws, and the ids' separate stream. */
interface DocumentRngs {
  body: Rng;
  ids: Rng;
}

function ambassadorDocument(
  rngs: DocumentRngs, i: number, userId: string | null | undefined, bareNan: boolean, counts: FieldCounts,
): Record<string, unknown> {
  const rng = rngs.body;
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const local = `${first}.${last.replace(/[^A-Za-z]/g, '')}${i}`.toLowerCase();
  const doc: Record<string, unknown> = {};
  if (userId !== undefined) doc.user_id = userId;
  doc.name = rng.chance(0.02) ? '???' : `${first} ${last}`;
  doc.email = email(rng, local, counts);
  doc.instagram_handle = rng.chance(0.05) ? null : `@${first}.${last.replace(/[^A-Za-z]/g, '')}${rng.int(1, 99)}`;
  doc.tiktok_handle = rng.chance(0.05) ? '#error_handle' : `@${local.replace('.', '_')}.tt`;
  doc.joined_at = joinedAt(rng, counts);
  // A bare-NaN document needs a metric to carry the NaN, so it always has a program with a task.
  const programsKind = bareNan ? 'present' : rng.weighted(R.programs);
  bump(counts.advocacy_programs, programsKind);
  if (programsKind === 'empty') doc.advocacy_programs = [];
  else if (programsKind === 'present') {
    const programs = [];
    const n = rng.int(1, 3);
    for (let p = 0; p < n; p++) programs.push(program(rngs, i, p, bareNan && p === 0, counts));
    doc.advocacy_programs = programs;
  }
  return doc;
}

function email(rng: Rng, local: string, counts: FieldCounts): string | null {
  const kind = rng.weighted(R.email);
  bump(counts.email, kind);
  const domain = rng.pick(['example.com', 'mail.example.org', 'duel.test']);
  switch (kind) {
    case 'ok': return `${local}@${domain}`;
    case 'mixed_case': return `${local.charAt(0).toUpperCase()}${local.slice(1)}@${domain.toUpperCase()}`;
    case 'padded': return `${rng.pick([' ', '  '])}${local}@${domain}${rng.pick([' ', '   ', ''])}`;
    case 'invalid': return rng.pick(['invalid-email', `${local}.example.com`, `${local}@`, `${local}@@${domain}`,
      `${local} x@${domain}`, `${local}@example`]);
    case 'null': return null;
  }
}

function joinedAt(rng: Rng, counts: FieldCounts): string | null {
  const kind = rng.weighted(R.joinedAt);
  bump(counts.joined_at, kind);
  // 2020-01-01 .. 2025-12-31, in whole milliseconds.
  const instant = new Date(Date.UTC(2020, 0, 1) + rng.int(0, 6 * 365 * 86400 - 1) * 1000 + rng.int(0, 999));
  const iso = instant.toISOString();
  switch (kind) {
    case 'iso_utc': return iso;
    case 'iso_offset': {
      const hours = rng.int(-11, 12);
      const shifted = new Date(instant.getTime() + hours * 3600_000).toISOString().slice(0, 19);
      const sign = hours < 0 ? '-' : '+';
      return `${shifted}${sign}${String(Math.abs(hours)).padStart(2, '0')}:00`;
    }
    case 'date_only': return iso.slice(0, 10);
    case 'garbage': return rng.pick(['not-a-date', 'yesterday', `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`,
      iso.slice(0, 10).replaceAll('-', '/'), 'N/A']);
    case 'null': return null;
  }
}

function program(rngs: DocumentRngs, i: number, p: number, carriesNan: boolean, counts: FieldCounts): Record<string, unknown> {
  const rng = rngs.body;
  counts.programs++;
  const idKind = rngs.ids.weighted(R.programId);
  bump(counts.program_id, idKind);
  const id = `p_${String(i).padStart(6, '0')}_${p}`;
  const out: Record<string, unknown> = {
    program_id: idKind === 'ok' ? id : idKind === 'empty' ? '' : idKind === 'blank' ? rngs.ids.pick([' ', '   ']) : null,
  };
  const brandKind = rng.weighted(R.brand);
  bump(counts.brand, brandKind);
  const brand = rng.pick(BRANDS);
  out.brand = brandKind === 'numeric' ? rng.pick([12345, 42, 2024, 7.5])
    : brandKind === 'padded' ? `${rng.pick(['', ' ', '  '])}${brand}${rng.pick([' ', '  ', '   '])}`
      : brand;
  const tasksKind = carriesNan ? 'present' : rng.weighted(R.tasks);
  bump(counts.tasks_completed, tasksKind);
  if (tasksKind === 'empty') out.tasks_completed = [];
  else if (tasksKind === 'present') {
    const tasks = [];
    const n = rng.int(1, 4);
    for (let t = 0; t < n; t++) tasks.push(task(rngs, `${String(i).padStart(6, '0')}_${p}_${t}`, carriesNan && t === 0, counts));
    out.tasks_completed = tasks;
  }
  const salesKind = rng.weighted(R.totalSales);
  bump(counts.total_sales_attributed, salesKind);
  const sales = rng.int(0, 500_000) / 100;
  switch (salesKind) {
    case 'number': out.total_sales_attributed = sales; break;
    case 'numeric_string': out.total_sales_attributed = sales.toFixed(2); break;
    case 'nan_string': out.total_sales_attributed = 'NaN'; break;
    case 'no_data': out.total_sales_attributed = 'no-data'; break;
    case 'negative': out.total_sales_attributed = -sales - 1; break;
    case 'null': out.total_sales_attributed = null; break;
    case 'missing': break;
  }
  return out;
}

function task(rngs: DocumentRngs, id: string, carriesNan: boolean, counts: FieldCounts): Record<string, unknown> {
  const rng = rngs.body;
  counts.tasks++;
  const idKind = rngs.ids.weighted(R.taskId);
  bump(counts.task_id, idKind);
  const platformKind = rng.weighted(R.platform);
  bump(counts.platform, platformKind);
  const platform = rng.pick(PLATFORMS);
  const out: Record<string, unknown> = {
    ...(idKind === 'missing' ? {} : { task_id: idKind === 'ok' ? `t_${id}` : idKind === 'empty' ? '' : null }),
    platform: platformKind === 'canonical' ? platform
      : platformKind === 'variant' ? variant(rng, platform)
        : platformKind === 'twitter_x' ? rng.pick(['Twitter', 'twitter', ' X', 'x', 'TWITTER '])
          : rng.pick(['Pinterest', 'Snapchat', 'LinkedIn', 123, null, '']),
    post_url: rng.chance(0.05) ? 'broken_link' : `https://www.${platform.toLowerCase()}.com/p/${rng.hex(10)}`,
  };
  for (const metric of ['likes', 'comments', 'shares', 'reach'] as const) {
    const kind = carriesNan && metric === 'likes' ? 'nan_string' : rng.weighted(R.metric);
    bump(counts.metrics, kind);
    const value = metric === 'reach' ? rng.int(100, 20_000) : rng.int(0, 500);
    switch (kind) {
      case 'number': out[metric] = value; break;
      case 'numeric_string': out[metric] = String(value); break;
      case 'fractional': out[metric] = value + 0.5; break;
      case 'nan_string': out[metric] = carriesNan && metric === 'likes' ? BARE_NAN : 'NaN'; break;
      case 'negative': out[metric] = -value - 1; break;
      case 'null': out[metric] = null; break;
      case 'missing': break;
    }
  }
  return out;
}

/** A canonical platform name spelled differently: another case, stray spaces, or both; never the canonical spelling. */
function variant(rng: Rng, platform: string): string {
  const cased = rng.pick([platform.toLowerCase(), platform.toUpperCase(), platform]);
  const padded = rng.pick([` ${cased}`, `${cased} `, `  ${cased}  `, cased]);
  return padded === platform ? ` ${platform.toLowerCase()}` : padded;
}

function render(rng: Rng, doc: Record<string, unknown>, kind: JsonKind): string {
  const text = JSON.stringify(doc, null, 4).replaceAll(JSON.stringify(BARE_NAN), 'NaN');
  switch (kind) {
    case 'valid':
    case 'bare_nan':
      return `${text}\n`;
    case 'trailing_comma':
      return `${text.replace(/([^[{,\s])(\n\s*[}\]])/g, '$1,$2')}\n`;
    case 'single_quotes':
      return `${text.replaceAll('"', "'")}\n`;
    case 'truncated': {
      // Cut in the second half, past user_id, and never right after a closing brace, so the cut is visible.
      let cut = Math.floor(text.length * (0.5 + 0.45 * rng.next()));
      while (cut > 1 && /[}\s]/.test(text.charAt(cut - 1))) cut--;
      return text.slice(0, cut);
    }
    case 'unrepairable':
      return rng.pick([
        '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n',
        // Not on a new line: jsonrepair would read newline-separated values as NDJSON and load the document.
        `${text} HTTP/1.1 500 Internal Server Error {\n`,
        `${text.replaceAll('": ', '" = ')}\n`,
        '{"user_id": }}}{{\n',
      ]);
  }
}
