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

const INTEGER_RE = /^[+-]?\d+$/;
const NUMERIC_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$/;
/** Keeps numeric literals far inside PostgreSQL's limits (exponent and digit counts) rather than modelling them. */
const MAX_NUMERIC_LENGTH = 1000;
const MAX_NUMERIC_EXPONENT = 1000;
const INT8_MAX = 9223372036854775807n;
const INT8_MIN = -9223372036854775808n;

/** Tracks the narrowest type that every observed non-null value of one column fits. */
export class ColumnTypeInference {
  private candidates = ALL;
  private observed = false;

  /** A non-null value (callers skip nulls). */
  observe(value: string): void {
    this.observed = true;
    if (this.candidates !== 0) this.candidates &= fitMask(value, this.candidates);
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
  return (fitMask(value, bit) & bit) !== 0;
}

/** The subset of `wanted` that `value` fits; a cheap look at the first character avoids most regex work. */
function fitMask(value: string, wanted: number): number {
  const c = value.charCodeAt(0);
  const digit = isDigit(c);
  if (digit || c === 43 || c === 45 || c === 46) {
    let mask = wanted & NUMBERS ? numberMask(value) : 0;
    if (digit && wanted & TEMPORAL && value.length >= 10 && value.charCodeAt(4) === 45) mask |= temporalMask(value);
    return mask & wanted;
  }
  if ((c === 116 || c === 84 || c === 102 || c === 70) && wanted & BOOLEAN) {
    const lower = value.length <= 5 ? value.toLowerCase() : '';
    return lower === 'true' || lower === 'false' ? BOOLEAN : 0;
  }
  return 0;
}

function numberMask(value: string): number {
  if (value.length > MAX_NUMERIC_LENGTH) return 0;
  if (INTEGER_RE.test(value)) {
    const signed = value.charCodeAt(0) === 45 || value.charCodeAt(0) === 43;
    let start = signed ? 1 : 0;
    while (start < value.length - 1 && value.charCodeAt(start) === 48) start++;
    const digits = value.length - start;
    if (digits <= 9) return NUMBERS;
    if (digits === 10) {
      const n = Number(value);
      return n >= -2147483648 && n <= 2147483647 ? NUMBERS : BIGINT | NUMERIC;
    }
    if (digits <= 18) return BIGINT | NUMERIC;
    if (digits === 19) {
      const n = BigInt(value);
      return n >= INT8_MIN && n <= INT8_MAX ? BIGINT | NUMERIC : NUMERIC;
    }
    return NUMERIC;
  }
  const m = NUMERIC_RE.exec(value);
  if (!m) return 0;
  return m[1] === undefined || Math.abs(Number(m[1])) <= MAX_NUMERIC_EXPONENT ? NUMERIC : 0;
}

/** Hand-written rather than a regex with captures: this runs per value and is several times faster. */
function temporalMask(v: string): number {
  const n = v.length;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return 0;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return 0;
  if (n === 10) return DATE | TIMESTAMP;
  const separator = v.charCodeAt(10);
  if ((separator !== 84 && separator !== 32) || v.charCodeAt(13) !== 58) return 0;
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return 0;
  let i = 16;
  if (v.charCodeAt(i) === 58) {
    const second = digits(v, 17, 2);
    if (second < 0 || second > 59) return 0;
    i = 19;
    if (v.charCodeAt(i) === 46) {
      let j = i + 1;
      while (isDigit(v.charCodeAt(j))) j++;
      if (j === i + 1 || j - i - 1 > 9) return 0;
      i = j;
    }
  }
  if (i === n) return TIMESTAMP;
  return isZone(v, i) ? TIMESTAMPTZ : 0;
}

/** `Z`, `±HH`, `±HH:MM` or `±HHMM` from `i` to the end; PostgreSQL rejects offsets beyond ±15:59. */
function isZone(v: string, i: number): boolean {
  const c = v.charCodeAt(i);
  if (c === 90) return v.length === i + 1;
  if (c !== 43 && c !== 45) return false;
  const hours = digits(v, i + 1, 2);
  if (hours < 0 || hours > 15) return false;
  const rest = v.length - (i + 3);
  if (rest === 0) return true;
  const colon = v.charCodeAt(i + 3) === 58 ? 1 : 0;
  if (rest !== 2 + colon) return false;
  const minutes = digits(v, i + 3 + colon, 2);
  return minutes >= 0 && minutes <= 59;
}

/** The number written by `count` digits at `at`, or -1 if any is not a digit (or missing). */
function digits(v: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = v.charCodeAt(i);
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
