/**
 * Pipeline A's rules (issue 7, keyed by position since issue 15) in TypeScript, computed from a folder of ambassador
 * files read and repaired as the JSON loader does, never from the models' SQL; and the comparison of every table the
 * models build with them, numbers exactly (JSON numbers are kept as their text, so sums and ratios are fractions).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonrepair } from 'jsonrepair';
import { expect } from 'vitest';
import { decimalOf, divide, fraction, numericMismatch, sum, type Fraction } from './exact-decimal.js';
import type { TestProject } from './project.js';

/** A JSON number, as the text the file holds (jsonb keeps it exactly; a double would not). */
class JsonNumber {
  constructor(readonly text: string) {}
}

type Json = null | boolean | JsonNumber | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const NUMBER_KEY = '\u0000number';

/** JSON.parse of valid JSON, with every number kept as its text. */
function parseExact(text: string): Json {
  const numbers: string[] = [];
  const marked = text.replace(TOKEN, (token) => {
    if (token.startsWith('"')) return token;
    numbers.push(token);
    return `{${JSON.stringify(NUMBER_KEY)}:${numbers.length - 1}}`;
  });
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && NUMBER_KEY in value
      ? new JsonNumber(numbers[(value as Record<string, number>)[NUMBER_KEY]!]!)
      : value) as Json;
}

/** SQL's trim(): spaces only. */
const trim = (text: string): string => text.replace(/^ +| +$/g, '');

/** PostgreSQL's `->>`: a string's text, a number's or another value's JSON text, NULL for null or missing. */
function text(value: Json | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (value instanceof JsonNumber) return value.text;
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof JsonNumber ? Number(v.text) : v));
}

/** A trimmed text, NULL when null, missing or blank: the rule of every id. */
const idOf = (value: Json | undefined): string | null => (trim(text(value) ?? '') === '' ? null : trim(text(value)!));

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);

const arrayOf = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

/** A JSON number, or a string holding a plain decimal; else null ('NaN', 'no-data', null, missing). */
function numberOf(value: Json | undefined): Fraction | null {
  if (value instanceof JsonNumber) return decimalOf(value.text);
  if (typeof value === 'string' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/.test(trim(value))) {
    return decimalOf(trim(value));
  }
  return null;
}

const MAX_BIGINT = 9223372036854775807n;

/** A count: a non-negative whole number that fits a bigint. */
function metric(value: Json | undefined): bigint | null {
  const n = numberOf(value);
  if (n === null || n.num < 0n || n.num % n.den !== 0n) return null;
  return n.num / n.den <= MAX_BIGINT ? n.num / n.den : null;
}

function sales(value: Json | undefined): Fraction | null {
  const n = numberOf(value);
  return n !== null && n.num >= 0n ? n : null;
}

const PLATFORMS: Record<string, string> = {
  instagram: 'Instagram', tiktok: 'TikTok', facebook: 'Facebook', youtube: 'YouTube', twitter: 'X', x: 'X',
};
const platform = (value: Json | undefined): string => PLATFORMS[trim(text(value) ?? '').toLowerCase()] ?? 'Other';

function email(value: Json | undefined): string | null {
  const candidate = text(value);
  if (candidate === null) return null;
  const cleaned = trim(candidate).toLowerCase();
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(cleaned) ? cleaned : null;
}

/** Milliseconds since the epoch, or null unless an ISO-8601 (extended) date or date-time; a date alone is midnight UTC. */
function joinedAt(value: Json | undefined): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?)?$/.exec(
    text(value) ?? '',
  );
  if (!m) return null;
  const part = (i: number): number => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, offsetHours, offsetMinutes] = [part(1), part(2), part(3), part(4), part(5), part(9), part(10)];
  const second = Number(m[6] ?? 0);
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  const dayExists = month >= 1 && month <= 12 && day >= 1 && date.getUTCMonth() === month - 1;
  if (year < 1 || !dayExists || hour > 23 || minute > 59 || second >= 60 || offsetHours > 23 || offsetMinutes > 59) return null;
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 - offset;
}

export interface Ambassador { ambassador_id: string; email: string | null; joined_at: number | null; file: string }
export interface Program {
  ambassador_id: string; program_no: number; program_id: string | null; brand: string | null; total_sales_attributed: Fraction | null;
}
export interface Task {
  ambassador_id: string; program_no: number; task_no: number; program_id: string | null; task_id: string | null; platform: string;
  post_url: string | null; likes: bigint | null; comments: bigint | null; shares: bigint | null; reach: bigint | null;
}

export interface AmbassadorTables {
  files: number;
  /** File names, sorted. */
  rejected: string[];
  repaired: number;
  valid: number;
  ambassadors: Ambassador[];
  programs: Program[];
  tasks: Task[];
}

/** What the tables must hold, from the `.json` files of a folder of ambassador documents. */
export function ambassadorTables(dir: string): AmbassadorTables {
  const names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  const rejected: string[] = [];
  let repaired = 0;
  let valid = 0;
  const current = new Map<string, { name: string; doc: JsonObject }>();
  for (const name of names) {
    const raw = readFileSync(join(dir, name), 'utf8');
    const parsed = parseFile(raw);
    if (parsed === undefined || !isObject(parsed.doc)) {
      rejected.push(name);
      continue;
    }
    if (parsed.repaired) repaired++;
    else valid++;
    const id = idOf(parsed.doc.user_id) ?? createHash('md5').update(name).digest('hex');
    // Names are visited in byte order: a later file of the same id replaces the earlier one.
    current.set(id, { name, doc: parsed.doc });
  }
  const ambassadors: Ambassador[] = [];
  const programs: Program[] = [];
  const tasks: Task[] = [];
  for (const [id, { name, doc }] of current) {
    ambassadors.push({ ambassador_id: id, email: email(doc.email), joined_at: joinedAt(doc.joined_at), file: name });
    arrayOf(doc.advocacy_programs).forEach((program, p) => {
      const fields = isObject(program) ? program : {};
      const programId = idOf(fields.program_id);
      programs.push({
        ambassador_id: id, program_no: p + 1, program_id: programId, brand: idOf(fields.brand),
        total_sales_attributed: sales(fields.total_sales_attributed),
      });
      arrayOf(fields.tasks_completed).forEach((task, t) => {
        const f = isObject(task) ? task : {};
        tasks.push({
          ambassador_id: id, program_no: p + 1, task_no: t + 1, program_id: programId, task_id: idOf(f.task_id),
          platform: platform(f.platform), post_url: text(f.post_url), likes: metric(f.likes), comments: metric(f.comments),
          shares: metric(f.shares), reach: metric(f.reach),
        });
      });
    });
  }
  return { files: names.length, rejected, repaired, valid, ambassadors, programs, tasks };
}

/** As the loader reads a file: JSON.parse, else jsonrepair then JSON.parse; undefined when neither works. */
function parseFile(raw: string): { doc: Json; repaired: boolean } | undefined {
  for (const [repaired, candidate] of [[false, () => raw], [true, () => jsonrepair(raw)]] as const) {
    try {
      const textParsed = candidate();
      JSON.parse(textParsed);
      return { doc: parseExact(textParsed), repaired };
    } catch {
      // the next way, or rejected
    }
  }
  return undefined;
}

const total = (values: (bigint | null)[]): bigint => values.reduce<bigint>((acc, v) => acc + (v ?? 0n), 0n);

export interface BrandRow {
  brand: string; ambassadors: number; programs: number; tasks: number; total_sales_attributed: Fraction;
  total_likes: bigint; total_comments: bigint; total_shares: bigint; total_reach: bigint;
}

/** analysis.brand_performance, one row per brand in byte order. */
export function brandPerformance(e: AmbassadorTables): BrandRow[] {
  const brands = [...new Set(e.programs.map((p) => p.brand).filter((b): b is string => b !== null))].sort();
  return brands.map((brand) => {
    const programs = e.programs.filter((p) => p.brand === brand);
    const keys = new Set(programs.map((p) => `${p.ambassador_id}\u0000${p.program_no}`));
    const tasks = e.tasks.filter((t) => keys.has(`${t.ambassador_id}\u0000${t.program_no}`));
    return {
      brand,
      ambassadors: new Set(programs.map((p) => p.ambassador_id)).size,
      programs: programs.length,
      tasks: tasks.length,
      total_sales_attributed: sum(programs.map((p) => p.total_sales_attributed ?? fraction(0n))),
      total_likes: total(tasks.map((t) => t.likes)),
      total_comments: total(tasks.map((t) => t.comments)),
      total_shares: total(tasks.map((t) => t.shares)),
      total_reach: total(tasks.map((t) => t.reach)),
    };
  });
}

export interface PlatformRow {
  platform: string; tasks: number; total_likes: bigint; total_comments: bigint; total_shares: bigint; total_reach: bigint;
  engagement_rate: Fraction | null;
}

/** analysis.platform_engagement, one row per platform in byte order. */
export function platformEngagement(e: AmbassadorTables): PlatformRow[] {
  const platforms = [...new Set(e.tasks.map((t) => t.platform))].sort();
  return platforms.map((name) => {
    const tasks = e.tasks.filter((t) => t.platform === name);
    const rated = tasks.filter((t) => t.likes !== null && t.comments !== null && t.shares !== null && t.reach !== null && t.reach > 0n);
    return {
      platform: name,
      tasks: tasks.length,
      total_likes: total(tasks.map((t) => t.likes)),
      total_comments: total(tasks.map((t) => t.comments)),
      total_shares: total(tasks.map((t) => t.shares)),
      total_reach: total(tasks.map((t) => t.reach)),
      engagement_rate: rated.length === 0 ? null
        : divide(fraction(total(rated.map((t) => t.likes! + t.comments! + t.shares!))), fraction(total(rated.map((t) => t.reach)))),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison: every value as text from the database, so nothing passes through a double.

type Row = Record<string, string | null>;

const line = (values: unknown[]): string =>
  JSON.stringify(values.map((v) => (v === null || v === undefined ? null : typeof v === 'bigint' || typeof v === 'number' ? String(v) : v)));

/**
 * The rows of `from` against `expected`: every column but the numeric ones as the database's text, exactly; each
 * numeric one (a sum or a ratio of decimals) equal to its exact fraction to the last digit stored.
 */
async function expectExactRows<T extends object>(project: TestProject, from: string, expected: T[], numericColumns: (keyof T & string)[] = []): Promise<void> {
  expect(expected.length, `${from}: rows expected`).toBeGreaterThan(0);
  const columns = Object.keys(expected[0]!) as (keyof T & string)[];
  const plain = columns.filter((c) => !numericColumns.includes(c));
  const rows = await project.query<Row>(`select ${columns.map((c) => `${c}::text as ${c}`).join(', ')} from ${from}`);
  expect(rows.map((row) => line(plain.map((c) => row[c]))).sort(), from)
    .toEqual(expected.map((row) => line(plain.map((c) => row[c]))).sort());
  const byKey = new Map(expected.map((row) => [line(plain.map((c) => row[c])), row]));
  const mismatches = rows.flatMap((row) => numericColumns.flatMap((c) => {
    const key = line(plain.map((p) => row[p]));
    const want = byKey.get(key)![c] as Fraction | null;
    const stored = row[c] ?? null;
    if (want === null || stored === null) return want === stored ? [] : [`${from}.${c} at ${key}: ${stored}, expected ${want === null ? 'NULL' : 'a value'}`];
    const problem = numericMismatch(stored, want);
    return problem === undefined ? [] : [`${from}.${c} at ${key}: ${problem}`];
  }));
  expect(mismatches, from).toEqual([]);
}

/** Every table of Pipeline A (cleaned in `schema`, lookup.brands, analysis.*) against `e`. */
export async function expectAmbassadorTables(project: TestProject, e: AmbassadorTables, schema = 'analytics'): Promise<void> {
  const ambassadors = `(select ambassador_id, email, round(extract(epoch from joined_at) * 1000)::bigint as joined_at,
    regexp_replace(source_file, '^.*/', '') as file from ${schema}.ambassadors) as a`;
  await expectExactRows(project, ambassadors, e.ambassadors.map((a) => ({ ...a, joined_at: a.joined_at === null ? null : Math.round(a.joined_at) })));
  // lookup.brands: every brand once (ids are checked by the caller, which knows the history of runs).
  const brands = await project.query<{ brand: string }>('select brand from lookup.brands');
  expect(brands.map((b) => b.brand).sort()).toEqual([...new Set(e.programs.map((p) => p.brand).filter((b) => b !== null))].sort());
  await expectExactRows(project, `${schema}.advocacy_programs left join lookup.brands using (brand_id)`, e.programs, ['total_sales_attributed']);
  await expectExactRows(project, `${schema}.tasks_completed`, e.tasks);
  await expectExactRows(project, 'analysis.brand_performance', brandPerformance(e), ['total_sales_attributed']);
  await expectExactRows(project, 'analysis.platform_engagement', platformEngagement(e), ['engagement_rate']);
}
