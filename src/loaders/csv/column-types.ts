/**
 * Column type inference for CSV seeds: a type is chosen only if every non-null value of the column fits it, and the
 * rules are strict enough that PostgreSQL accepts every value of the chosen type (when in doubt, the answer is 'text').
 *
 * Widening: integer → bigint → numeric, and date → timestamp (a bare date is midnight). Zoned and zone-less values are
 * kept apart: a column mixing them is 'text', because picking timestamptz would read the zone-less values in the
 * server's TimeZone setting (results depend on configuration) and picking timestamp would silently drop the offsets.
 * For the same reason a bare date does not fit timestamptz.
 */
export type InferredType = 'integer' | 'bigint' | 'numeric' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'text';

const INTEGER = 1;
const BIGINT = 2;
const NUMERIC = 4;
const BOOLEAN = 8;
const DATE = 16;
const TIMESTAMP = 32;
const TIMESTAMPTZ = 64;
const ALL = 127;
const NUMBERS = INTEGER | BIGINT | NUMERIC;
const TEMPORAL = DATE | TIMESTAMP | TIMESTAMPTZ;

/** Candidates in order of preference: the first that survives is the column's type. */
const ORDER: ReadonlyArray<readonly [number, InferredType]> = [
  [INTEGER, 'integer'],
  [BIGINT, 'bigint'],
  [NUMERIC, 'numeric'],
  [BOOLEAN, 'boolean'],
  [DATE, 'date'],
  [TIMESTAMP, 'timestamp'],
  [TIMESTAMPTZ, 'timestamptz'],
];

/** Keeps numeric literals far inside PostgreSQL's limits (exponent and digit counts) rather than modelling them. */
const MAX_NUMERIC_LENGTH = 1000;
const MAX_NUMERIC_EXPONENT = 1000;
/** The largest magnitudes of int4 and int8, positive and negative, as digits (compared digit by digit). */
const INT4_MAX = Buffer.from('2147483647');
const INT4_MIN = Buffer.from('2147483648');
const INT8_MAX = Buffer.from('9223372036854775807');
const INT8_MIN = Buffer.from('9223372036854775808');

/**
 * Tracks the narrowest type that every observed non-null value of one column fits. Values are looked at as UTF-8
 * bytes: every form a type accepts is ASCII, so a byte of 0x80 or above simply fits nothing, as its character would.
 */
export class ColumnTypeInference {
  private candidates = ALL;
  private observed = false;

  /** A non-null value (callers skip nulls). */
  observe(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.observeBytes(bytes, 0, bytes.length);
  }

  /** The same for the value whose UTF-8 encoding is bytes[start, end), without making a string. */
  observeBytes(bytes: Uint8Array, start: number, end: number): void {
    this.observed = true;
    if (this.candidates !== 0) this.candidates &= fitMask(bytes, start, end, this.candidates);
  }

  /** True once the column is 'text' for good: further values (or nulls) cannot change its type. */
  get settled(): boolean {
    return this.observed && this.candidates === 0;
  }

  /** 'text' if no value was observed at all (all null / empty column). */
  get type(): InferredType {
    if (!this.observed) return 'text';
    for (const [bit, type] of ORDER) if (this.candidates & bit) return type;
    return 'text';
  }
}

export function fits(type: InferredType, value: string): boolean {
  if (type === 'text') return true;
  const bit = ORDER.find(([, t]) => t === type)![0];
  const bytes = Buffer.from(value, 'utf8');
  return (fitMask(bytes, 0, bytes.length, bit) & bit) !== 0;
}

/** The subset of `wanted` that the value v[start, end) fits; a look at the first byte avoids most work. */
function fitMask(v: Uint8Array, start: number, end: number, wanted: number): number {
  if (start >= end) return 0;
  const c = v[start]!;
  const digit = isDigit(c);
  if (digit || c === 43 || c === 45 || c === 46) {
    let mask = wanted & NUMBERS ? numberMask(v, start, end) : 0;
    if (digit && wanted & TEMPORAL && end - start >= 10 && v[start + 4] === 45) mask |= temporalMask(v, start, end);
    return mask & wanted;
  }
  if ((c === 116 || c === 84 || c === 102 || c === 70) && wanted & BOOLEAN) {
    return isBoolean(v, start, end) ? BOOLEAN : 0;
  }
  return 0;
}

/** `true` or `false` in any case (`| 0x20` lower-cases an ASCII letter and cannot turn another byte into one of these). */
function isBoolean(v: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n === 4) return (v[start]! | 0x20) === 116 && (v[start + 1]! | 0x20) === 114 && (v[start + 2]! | 0x20) === 117 && (v[start + 3]! | 0x20) === 101;
  if (n !== 5) return false;
  return (
    (v[start]! | 0x20) === 102 &&
    (v[start + 1]! | 0x20) === 97 &&
    (v[start + 2]! | 0x20) === 108 &&
    (v[start + 3]! | 0x20) === 115 &&
    (v[start + 4]! | 0x20) === 101
  );
}

/** What `[+-]?\d+` (sized for int4/int8) and `[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?` (numeric) accept. */
function numberMask(v: Uint8Array, start: number, end: number): number {
  if (end - start > MAX_NUMERIC_LENGTH) return 0;
  const sign = v[start];
  const negative = sign === 45;
  let i = negative || sign === 43 ? start + 1 : start;
  const intStart = i;
  while (i < end && isDigit(v[i]!)) i++;
  const intDigits = i - intStart;
  if (i === end && intDigits > 0) {
    let first = intStart;
    while (first < end - 1 && v[first] === 48) first++;
    const digits = end - first;
    if (digits <= 9) return NUMBERS;
    if (digits === 10) return notAbove(v, first, negative ? INT4_MIN : INT4_MAX) ? NUMBERS : BIGINT | NUMERIC;
    if (digits <= 18) return BIGINT | NUMERIC;
    if (digits === 19) return notAbove(v, first, negative ? INT8_MIN : INT8_MAX) ? BIGINT | NUMERIC : NUMERIC;
    return NUMERIC;
  }
  if (i < end && v[i] === 46) {
    i++;
    const fracStart = i;
    while (i < end && isDigit(v[i]!)) i++;
    if (intDigits === 0 && i === fracStart) return 0;
  } else if (intDigits === 0) {
    return 0;
  }
  if (i === end) return NUMERIC;
  if (v[i] !== 101 && v[i] !== 69) return 0;
  i++;
  if (i < end && (v[i] === 43 || v[i] === 45)) i++;
  const expStart = i;
  while (i < end && isDigit(v[i]!)) i++;
  if (i !== end || i === expStart) return 0;
  let first = expStart;
  while (first < end && v[first] === 48) first++;
  if (end - first > 4) return 0;
  let exponent = 0;
  for (let j = first; j < end; j++) exponent = exponent * 10 + v[j]! - 48;
  return exponent <= MAX_NUMERIC_EXPONENT ? NUMERIC : 0;
}

/** Whether the digits at v[at, at + limit.length) are at most `limit` (same length, so digit order is number order). */
function notAbove(v: Uint8Array, at: number, limit: Uint8Array): boolean {
  for (let i = 0; i < limit.length; i++) {
    const d = v[at + i]! - limit[i]!;
    if (d !== 0) return d < 0;
  }
  return true;
}

/** Hand-written rather than a regex with captures: this runs per value and is several times faster. */
function temporalMask(v: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (v[start + 4] !== 45 || v[start + 7] !== 45) return 0;
  const year = digits(v, start, end, 0, 4);
  const month = digits(v, start, end, 5, 2);
  const day = digits(v, start, end, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return 0;
  if (n === 10) return DATE | TIMESTAMP;
  const separator = v[start + 10];
  if (n < 16 || (separator !== 84 && separator !== 32) || v[start + 13] !== 58) return 0;
  const hour = digits(v, start, end, 11, 2);
  const minute = digits(v, start, end, 14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return 0;
  let i = 16;
  if (i < n && v[start + i] === 58) {
    const second = digits(v, start, end, 17, 2);
    if (second < 0 || second > 59) return 0;
    i = 19;
    if (i < n && v[start + i] === 46) {
      let j = i + 1;
      while (j < n && isDigit(v[start + j]!)) j++;
      if (j === i + 1 || j - i - 1 > 9) return 0;
      i = j;
    }
  }
  if (i === n) return TIMESTAMP;
  return isZone(v, start, end, i) ? TIMESTAMPTZ : 0;
}

/** `Z`, `±HH`, `±HH:MM` or `±HHMM` from `i` to the end; PostgreSQL rejects offsets beyond ±15:59. */
function isZone(v: Uint8Array, start: number, end: number, i: number): boolean {
  const n = end - start;
  const c = v[start + i];
  if (c === 90) return n === i + 1;
  if (c !== 43 && c !== 45) return false;
  const hours = digits(v, start, end, i + 1, 2);
  if (hours < 0 || hours > 15) return false;
  const rest = n - (i + 3);
  if (rest === 0) return true;
  const colon = v[start + i + 3] === 58 ? 1 : 0;
  if (rest !== 2 + colon) return false;
  const minutes = digits(v, start, end, i + 3 + colon, 2);
  return minutes >= 0 && minutes <= 59;
}

/** The number written by `count` digits at v[start + at], or -1 if any is not a digit (or is past `end`). */
function digits(v: Uint8Array, start: number, end: number, at: number, count: number): number {
  if (start + at + count > end) return -1;
  let n = 0;
  for (let i = start + at; i < start + at + count; i++) {
    const c = v[i]!;
    if (!isDigit(c)) return -1;
    n = n * 10 + c - 48;
  }
  return n;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
