import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { interactionUsers, writeInteractionUsers } from './interaction-users.js';
import { LineWriter } from './line-writer.js';
import { rngFor, type Rng } from './prng.js';
import { RATES } from './rates.js';
import { bump, emptyTally, type Tally } from './tally.js';

const R = RATES.interactions;
export const INTERACTIONS_HEADER = 'user_id,timestamp,action_type,page_id,duration_ms';
export const ACTION_TYPES = ['page_view', 'edit', 'create', 'delete', 'share'] as const;
const UNKNOWN_ACTIONS = ['click', 'scroll', 'login', 'PAGE_VIEW', 'Edit', 'unknown'] as const;
export const MAX_DURATION_MS = 7_200_000;
/** The first day of interactions (UTC). */
export const FIRST_DAY = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;

/** Counts over the distinct events generated (a duplicate copy is counted in duplicate_rows only). */
export interface InteractionCounts {
  first_date: string;
  last_date: string;
  days: number;
  /** Events generated per day (a session's actions past midnight count on the day it started). */
  per_day: number;
  /** Days added by --append-days after the first `days - appended_days`. */
  appended_days: number;
  users: number;
  user_source: string;
  metadata_rows: number;
  /** Rows per file, header excluded. */
  files: { 'user_interactions.csv': number; 'user_interactions_late.csv': number };
  events: number;
  duplicate_rows: number;
  user_id: Tally<keyof typeof R.userId>;
  action_type: Tally<keyof typeof R.actionType>;
  duration: Tally<keyof typeof R.duration>;
  late: Tally<keyof typeof R.late>;
  gap: Tally<keyof typeof R.gap>;
  /** Events that pass every silver rule (user id, action type, 0 <= duration <= 2 h), each counted once. */
  valid_events: number;
}

interface Event {
  line: string;
  ts: number;
  seq: number;
  duplicate: boolean;
  late: keyof typeof R.late;
}

function gapMs(rng: Rng, counts: InteractionCounts): number {
  const kind = rng.weighted(R.gap);
  bump(counts.gap, kind);
  switch (kind) {
    case 'short': return rng.int(1_000, 20 * 60_000);
    case 'just_under_30m': return 30 * 60_000 - 1_000;
    case 'exactly_30m': return 30 * 60_000;
    case 'long': return rng.int(30 * 60_000 + 1, 6 * 3_600_000);
  }
}

function event(rng: Rng, userId: string, ts: number, seq: number, counts: InteractionCounts): Event {
  const userKind = rng.weighted(R.userId);
  const actionKind = rng.weighted(R.actionType);
  const durationKind = rng.weighted(R.duration);
  bump(counts.user_id, userKind);
  bump(counts.action_type, actionKind);
  bump(counts.duration, durationKind);
  const duration = durationKind === 'ok' ? String(rng.int(1, 600_000))
    : durationKind === 'boundary' ? rng.pick(['0', String(MAX_DURATION_MS)])
      : durationKind === 'negative' ? String(-rng.int(1, 600_000))
        : durationKind === 'empty' ? '' : String(rng.int(MAX_DURATION_MS + 1, 10 * MAX_DURATION_MS));
  if (userKind === 'ok' && actionKind === 'valid' && durationKind !== 'negative' && durationKind !== 'empty'
    && durationKind !== 'huge') counts.valid_events++;
  const line = [
    userKind === 'ok' ? userId : '',
    new Date(ts).toISOString(),
    actionKind === 'valid' ? rng.pick(ACTION_TYPES) : rng.pick(UNKNOWN_ACTIONS),
    `p_${rng.int(1, 5000)}`,
    duration,
  ].join(',');
  const late = rng.weighted(R.late);
  bump(counts.late, late);
  return { line, ts, seq, duplicate: rng.chance(R.duplicate), late };
}

/** Events per day and the number of metadata users for a scale (an appended day has as many as the others). */
const perDayOf = (scale: number, days: number): number => Math.ceil(scale / days);
const userCountOf = (scale: number): number => Math.max(10, Math.ceil(scale / 10));
const dateOf = (day: number): string => new Date(FIRST_DAY + day * DAY_MS).toISOString().slice(0, 10);

interface DayWriters {
  main: LineWriter;
  late: LineWriter;
}

/**
 * Writes days [from, to) of interactions after what the writers hold. Sessions of 1 to 8 actions are generated day
 * by day; a day's block holds its events in time order (a session running past midnight continues in the next
 * block), then the previous day's `late_row` events, which carry earlier timestamps. `late_file` events go to the
 * late file instead. A duplicated event's copy follows it. Only two days' events are held in memory at a time.
 * Events past the last midnight close the main file, and the last day's late rows go to the late file.
 */
function writeDays(seed: number, ids: string[], perDay: number, from: number, to: number, counts: InteractionCounts, writers: DayWriters): void {
  const emit = (writer: LineWriter, e: Event): void => {
    writer.write(e.line);
    if (e.duplicate) {
      writer.write(e.line);
      counts.duplicate_rows++;
    }
  };
  let seq = counts.events;
  let carried: Event[] = [];
  let lateRows: Event[] = [];
  for (let day = from; day < to; day++) {
    const dayStart = FIRST_DAY + day * DAY_MS;
    const today = carried.filter((e) => e.ts < dayStart + DAY_MS);
    const next = carried.filter((e) => e.ts >= dayStart + DAY_MS);
    const rng = rngFor(seed, 'interactions-day', day);
    for (let made = 0; made < perDay;) {
      const user = rng.pick(ids);
      let ts = dayStart + rng.int(0, DAY_MS - 1);
      const actions = Math.min(rng.int(1, 8), perDay - made);
      for (let a = 0; a < actions; a++) {
        if (a > 0) ts += gapMs(rng, counts);
        const e = event(rng, user, ts, seq++, counts);
        (ts < dayStart + DAY_MS ? today : next).push(e);
        made++;
      }
    }
    counts.events = seq;
    today.sort((x, y) => x.ts - y.ts || x.seq - y.seq);
    const lateToday: Event[] = [];
    for (const e of today) {
      if (e.late === 'late_row') lateToday.push(e);
      else emit(e.late === 'late_file' ? writers.late : writers.main, e);
    }
    for (const e of lateRows) emit(writers.main, e);
    lateRows = lateToday;
    carried = next;
  }
  carried.sort((x, y) => x.ts - y.ts || x.seq - y.seq);
  for (const e of carried) if (e.late !== 'late_row') emit(e.late === 'late_file' ? writers.late : writers.main, e);
  // With no later day to follow, the last day's late rows go to the late file.
  for (const e of [...lateRows, ...carried.filter((c) => c.late === 'late_row')]) {
    counts.late.late_row--;
    counts.late.late_file++;
    emit(writers.late, e);
  }
  counts.days = to;
  counts.last_date = dateOf(to - 1);
}

/** Opens both interaction files, writes days [from, to) and adds the rows written to the per-file counts. */
function writeInteractionFiles(dir: string, append: boolean, run: (writers: DayWriters) => void, counts: InteractionCounts): void {
  const main = new LineWriter(join(dir, 'user_interactions.csv'), { append });
  const late = new LineWriter(join(dir, 'user_interactions_late.csv'), { append });
  if (!append) {
    main.write(INTERACTIONS_HEADER);
    late.write(INTERACTIONS_HEADER);
  }
  run({ main, late });
  main.close();
  late.close();
  const header = append ? 0 : 1;
  counts.files['user_interactions.csv'] += main.lines - header;
  counts.files['user_interactions_late.csv'] += late.lines - header;
}

/**
 * Writes `<dir>/user_metadata.csv`, `<dir>/user_interactions.csv` and `<dir>/user_interactions_late.csv` (see
 * writeDays), with as many days as the scale needs (2 to 366).
 */
export function writeInteractions(seed: number, scale: number, dir: string, sample?: string): InteractionCounts {
  mkdirSync(dir, { recursive: true });
  const days = Math.min(366, Math.max(2, Math.ceil(scale / 2000)));
  const users = writeInteractionUsers(seed, userCountOf(scale), dir, sample);
  const counts: InteractionCounts = {
    first_date: dateOf(0),
    last_date: dateOf(days - 1),
    days,
    per_day: perDayOf(scale, days),
    appended_days: 0,
    users: users.ids.length,
    user_source: users.source,
    metadata_rows: users.metadata_rows,
    files: { 'user_interactions.csv': 0, 'user_interactions_late.csv': 0 },
    events: 0,
    duplicate_rows: 0,
    user_id: emptyTally(R.userId),
    action_type: emptyTally(R.actionType),
    duration: emptyTally(R.duration),
    late: emptyTally(R.late),
    gap: emptyTally(R.gap),
    valid_events: 0,
  };
  writeInteractionFiles(dir, false, (writers) => writeDays(seed, users.ids, counts.per_day, 0, days, counts, writers), counts);
  return counts;
}

/**
 * Appends `days` more days to both interaction files (the same users, as many events a day), as the app's next
 * exports would: the new days' rows, and late rows of the day before them, after the existing ones.
 */
export function appendInteractionDays(seed: number, scale: number, dir: string, counts: InteractionCounts, days: number): void {
  const { ids } = interactionUsers(seed, userCountOf(scale), counts.user_source === 'synthetic' ? undefined : counts.user_source);
  const from = counts.days;
  writeInteractionFiles(dir, true, (writers) => writeDays(seed, ids, counts.per_day, from, from + days, counts, writers), counts);
  counts.appended_days += days;
}
