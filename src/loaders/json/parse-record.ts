import { jsonrepair } from 'jsonrepair';
import { jsonbProblem } from './jsonb-check.js';
import type { JsonItem } from './types.js';

export type Parsed = { ok: true; value: unknown; json: string; repaired: boolean } | { ok: false; error: string };

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * JSON.parse first (the common case, and the cheapest); only on failure jsonrepair, then JSON.parse again.
 * `json` is the text that parsed: the input itself, or jsonrepair's output. It is kept rather than re-serialised
 * because JSON.stringify(JSON.parse(x)) rounds numbers beyond 2^53 (ids!), which jsonb would store exactly.
 */
export function parseOrRepair(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text), json: text, repaired: false };
  } catch (parseError) {
    let fixed: string;
    try {
      fixed = jsonrepair(text);
    } catch (repairError) {
      return { ok: false, error: `invalid JSON that jsonrepair cannot repair: ${message(repairError)} (JSON.parse: ${message(parseError)})` };
    }
    try {
      return { ok: true, value: JSON.parse(fixed), json: fixed, repaired: true };
    } catch (reparseError) {
      // Not seen in practice, but jsonrepair gives no guarantee.
      return { ok: false, error: `invalid JSON, and jsonrepair's repair does not parse either: ${message(reparseError)}` };
    }
  }
}

/** 'object', 'array', 'string', 'number', 'boolean' or 'null'. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * A record if `value` is an object jsonb accepts, else a reject saying why.
 * `repairMadeIt`: the value's own text was repaired, so "not an object" may be jsonrepair's doing (e.g. garbage -> string).
 */
export function toItem(value: unknown, json: string, rawText: string, recordNo: number, repaired: boolean, repairMadeIt = repaired): JsonItem {
  const kind = jsonKind(value);
  if (kind !== 'object') {
    return { kind: 'reject', recordNo, rawText, error: `not a JSON object (got ${kind}${repairMadeIt ? ' after repair' : ''})` };
  }
  const problem = jsonbProblem(json);
  if (problem !== undefined) return { kind: 'reject', recordNo, rawText, error: problem };
  return { kind: 'record', recordNo, json, repaired };
}

/**
 * One ndjson line (or one whole document) to a record or a reject.
 * `altered`: the text was already changed before parsing (invalid UTF-8 replaced by U+FFFD), so flag it repaired.
 */
export function itemFromText(text: string, recordNo: number, altered: boolean): JsonItem {
  const parsed = parseOrRepair(text);
  if (!parsed.ok) return { kind: 'reject', recordNo, rawText: text, error: parsed.error };
  return toItem(parsed.value, parsed.json, text, recordNo, parsed.repaired || altered);
}
