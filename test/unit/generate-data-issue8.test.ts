import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonRecords } from '../../src/loaders/json/json-records.js';
import { appendInteractions, generate } from '../../scripts/generate-data/generate.js';
import type { Manifest } from '../../scripts/generate-data/manifest.js';
import { RATES } from '../../scripts/generate-data/rates.js';
import { sharedData } from '../helpers/shared-data.js';

/* Re-derives issue 8's planted defects from the files alone, independently of the generator's code. */

const dirs: string[] = [];
function tempDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tsdbt-generate-data-8-')), 'out');
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(join(dir, '..'), { recursive: true, force: true });
});

const SCALE = 20_000;
let out: string;
let manifest: Manifest;
beforeAll(() => {
  out = tempDir();
  manifest = generate({ out, scale: SCALE, seed: 3, issue8: true });
});

const csvRows = (path: string): string[] => readFileSync(path, 'utf8').split(/\r?\n/).slice(1).filter((l) => l !== '');
const ACTIONS = new Set(['page_view', 'edit', 'create', 'delete', 'share']);

/** Re-counts the interactions files of `out` and compares every count with its manifest section. */
function checkInteractionCounts(out: string, m: NonNullable<Manifest['interactions']>): void {
  const main = csvRows(join(out, 'interactions', 'user_interactions.csv'));
  const late = csvRows(join(out, 'interactions', 'user_interactions_late.csv'));
  expect({ main: main.length, late: late.length }).toEqual({ main: m.files['user_interactions.csv'], late: m.files['user_interactions_late.csv'] });
  const distinct = new Set([...main, ...late]);
  expect(main.length + late.length - distinct.size).toBe(m.duplicate_rows);
  expect(distinct.size).toBe(m.events);
  let valid = 0;
  const c = { emptyUser: 0, unknown: 0, negative: 0, empty: 0, huge: 0, boundary: 0 };
  for (const row of distinct) {
    const [user, ts, action, page, duration] = row.split(',');
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(page).toMatch(/^p_\d+$/);
    if (user === '') c.emptyUser++;
    if (!ACTIONS.has(action!)) c.unknown++;
    const d = duration === '' ? NaN : Number(duration);
    if (duration === '') c.empty++;
    else if (d < 0) c.negative++;
    else if (d > 7_200_000) c.huge++;
    else if (d === 0 || d === 7_200_000) c.boundary++;
    if (user !== '' && ACTIONS.has(action!) && duration !== '' && d >= 0 && d <= 7_200_000) valid++;
  }
  expect(c).toEqual({
    emptyUser: m.user_id.empty, unknown: m.action_type.unknown, negative: m.duration.negative, empty: m.duration.empty,
    huge: m.duration.huge, boundary: m.duration.boundary,
  });
  expect(valid).toBe(m.valid_events);
  // Late rows: an earlier UTC date than a row before them in the main file.
  const lateRows = new Set<string>();
  let maxDate = '';
  for (const row of main) {
    const date = row.split(',')[1]!.slice(0, 10);
    if (date < maxDate) lateRows.add(row);
    else maxDate = date;
  }
  expect(lateRows.size).toBe(m.late.late_row);
  expect(new Set(late).size).toBe(m.late.late_file);
  const ids = new Set(csvRows(join(out, 'interactions', 'user_metadata.csv')).map((r) => r.split(',')[0]));
  expect(ids.size).toBe(m.users);
  for (const row of distinct) {
    const user = row.split(',')[0]!;
    if (user !== '') expect(ids.has(user)).toBe(true);
  }
}

describe('issue 8 inputs', () => {
  it('writes the same bytes for the same arguments', () => {
    const again = tempDir();
    generate({ out: again, scale: SCALE, seed: 3, issue8: true });
    for (const sub of ['interactions', 'bluesky']) {
      for (const name of readdirSync(join(out, sub))) {
        expect(readFileSync(join(again, sub, name)).equals(readFileSync(join(out, sub, name))), name).toBe(true);
      }
    }
    expect(readFileSync(join(again, 'manifest.json'), 'utf8')).toBe(readFileSync(join(out, 'manifest.json'), 'utf8'));
  });

  it('counts the interactions defects as the files hold them', () => {
    checkInteractionCounts(out, manifest.interactions!);
  });

  it('appends days of interactions after the existing rows, counted in the manifest', () => {
    const dir = tempDir();
    const before = generate({ out: dir, scale: 4000, seed: 5, issue8: true }).interactions!;
    const firstRows = readFileSync(join(dir, 'interactions', 'user_interactions.csv'), 'utf8');
    const after = appendInteractions(dir, 2).interactions!;
    expect(readFileSync(join(dir, 'interactions', 'user_interactions.csv'), 'utf8').startsWith(firstRows)).toBe(true);
    expect({ days: after.days, last: after.last_date, appended: after.appended_days }).toEqual({ days: before.days + 2, last: '2024-01-04', appended: 2 });
    expect(after.events).toBe(before.events + 2 * before.per_day);
    const newDates = new Set(csvRows(join(dir, 'interactions', 'user_interactions.csv')).slice(before.files['user_interactions.csv']).map((r) => r.split(',')[1]!.slice(0, 10)));
    expect([...newDates].sort()).toEqual(['2024-01-03', '2024-01-04', '2024-01-05']);
    checkInteractionCounts(dir, after);
  });

  it('plants interactions defects near their configured rates', () => {
    const m = manifest.interactions!;
    const near = (n: number, rate: number): void => expect(Math.abs(n / m.events - rate)).toBeLessThan(0.01);
    near(m.duplicate_rows, RATES.interactions.duplicate);
    for (const [k, rate] of Object.entries(RATES.interactions.duration)) near(m.duration[k as keyof typeof m.duration], rate);
    for (const [k, rate] of Object.entries(RATES.interactions.late)) near(m.late[k as keyof typeof m.late], rate);
    near(m.user_id.empty, RATES.interactions.userId.empty);
    near(m.action_type.unknown, RATES.interactions.actionType.unknown);
    expect(m.gap.exactly_30m).toBeGreaterThan(0);
    expect(m.gap.just_under_30m).toBeGreaterThan(0);
  });

  it('counts the posts, broken lines and created_at kinds as the loader reads them', async () => {
    const b = manifest.bluesky!;
    const counts = { lines: 0, posts: 0, repaired: 0, rejected: 0, unparseable: 0, offset: 0, replies: 0 };
    const hours = new Array<number>(24).fill(0);
    for (const name of readdirSync(join(out, 'bluesky')).sort()) {
      for await (const item of readJsonRecords(createReadStream(join(out, 'bluesky', name)), 'ndjson')) {
        counts.lines++;
        if (item.kind === 'reject') {
          counts.rejected++;
          continue;
        }
        counts.posts++;
        if (item.repaired) counts.repaired++;
        const post = JSON.parse(item.json) as Record<string, unknown>;
        expect(Object.keys(post)).toEqual(['uri', 'author', 'text', 'created_at', 'has_images', 'reply_to']);
        if (post.reply_to !== null) counts.replies++;
        const createdAt = String(post.created_at);
        const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(createdAt) ? Date.parse(createdAt) : NaN;
        if (Number.isNaN(ms)) counts.unparseable++;
        else {
          if (!createdAt.endsWith('Z')) counts.offset++;
          hours[new Date(ms).getUTCHours()]!++;
        }
      }
    }
    expect(counts).toEqual({
      lines: b.lines, posts: b.posts, repaired: b.line.trailing_comma + b.line.single_quotes, rejected: b.line.unrepairable,
      unparseable: b.created_at.unparseable, offset: b.created_at.offset, replies: b.replies,
    });
    expect(hours).toEqual(b.utc_hour);
    for (const [k, rate] of Object.entries(RATES.bluesky.line)) {
      expect(Math.abs(b.line[k as keyof typeof b.line] / b.lines - rate)).toBeLessThan(0.01);
    }
  });

  const sample = sharedData('notes_analytics/user_metadata_sample.csv');
  it.skipIf(!existsSync(sample))('draws user ids from the original metadata sample, keeping its rows verbatim', () => {
    const dir = tempDir();
    const m = generate({ out: dir, scale: 5000, seed: 1, issue8: true, usersFrom: sample }).interactions!;
    const rows = csvRows(join(dir, 'interactions', 'user_metadata.csv'));
    const original = new Set(csvRows(sample));
    for (const row of rows) expect(original.has(row)).toBe(true);
    expect(new Set(rows.map((r) => r.split(',')[0])).size).toBe(m.users);
    expect(m.users).toBe(500);
  });
});
