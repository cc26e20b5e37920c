import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeInteractionUsers } from './interaction-users.js';
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

/**
 * Writes `<dir>/user_metadata.csv`, `<dir>/user_interactions.csv` and `<dir>/user_interactions_late.csv`. Sessions
 * of 1 to 8 actions are generated day by day; a day's block holds its events in time order (a session running past
 * midnight continues in the next block), then the previous day's `late_row` events, which carry earlier
 * timestamps. `late_file` events go to the late file instead. A duplicated event's copy follows it.
 * Only two days' events are held in memory at a time.
 */
export function writeInteractions(seed: number, scale: number, dir: string, sample?: string): InteractionCounts {
  mkdirSync(dir, { recursive: true });
  const days = Math.min(366, Math.max(2, Math.ceil(scale / 2000)));
  const users = writeInteractionUsers(seed, Math.max(10, Math.ceil(scale / 10)), dir, sample);
  const counts: InteractionCounts = {
    first_date: new Date(FIRST_DAY).toISOString().slice(0, 10),
    last_date: new Date(FIRST_DAY + (days - 1) * DAY_MS).toISOString().slice(0, 10),
    days,
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
  const main = new LineWriter(join(dir, 'user_interactions.csv'));
  const lateFile = new LineWriter(join(dir, 'user_interactions_late.csv'));
  main.write(INTERACTIONS_HEADER);
  lateFile.write(INTERACTIONS_HEADER);
  const emit = (writer: LineWriter, e: Event): void => {
    writer.write(e.line);
    if (e.duplicate) {
      writer.write(e.line);
      counts.duplicate_rows++;
    }
  };
  let seq = 0;
  let carried: Event[] = [];
  let lateRows: Event[] = [];
  const perDay = Math.ceil(scale / days);
  for (let day = 0; day < days; day++) {
    const dayStart = FIRST_DAY + day * DAY_MS;
    const today = carried.filter((e) => e.ts < dayStart + DAY_MS);
    const next = carried.filter((e) => e.ts >= dayStart + DAY_MS);
    const rng = rngFor(seed, 'interactions-day', day);
    for (let made = 0; made < perDay;) {
      const user = rng.pick(users.ids);
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
      else emit(e.late === 'late_file' ? lateFile : main, e);
    }
    for (const e of lateRows) emit(main, e);
    lateRows = lateToday;
    carried = next;
  }
  // Events past the last midnight, and the last day's late rows, close the file.
  carried.sort((x, y) => x.ts - y.ts || x.seq - y.seq);
  for (const e of carried) if (e.late !== 'late_row') emit(e.late === 'late_file' ? lateFile : main, e);
  // With no later day to follow, the last day's late rows go to the late file.
  for (const e of [...lateRows, ...carried.filter((c) => c.late === 'late_row')]) {
    counts.late.late_row--;
    counts.late.late_file++;
    emit(lateFile, e);
  }
  main.close();
  lateFile.close();
  counts.files = { 'user_interactions.csv': main.lines - 1, 'user_interactions_late.csv': lateFile.lines - 1 };
  return counts;
}
