/*
 * Things JSON.parse accepts but PostgreSQL's jsonb rejects, so that they become rejects with a reason instead of
 * failing the whole COPY:
 *  - the escape \u0000 (jsonb stores text, which cannot hold NUL);
 *  - unpaired UTF-16 surrogate escapes (\ud800 alone, or a low surrogate first): not Unicode code points.
 * Raw (unescaped) forms cannot occur: raw control characters are invalid JSON and the input is decoded from UTF-8.
 */

const BACKSLASH = 0x5c;
const LOWER_U = 0x75;

function hex4(text: string, at: number): number {
  return Number.parseInt(text.slice(at, at + 4), 16);
}

const isHigh = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * Why PostgreSQL's jsonb would refuse this JSON text, or undefined if it would accept it.
 * `json` must be valid JSON (it has passed JSON.parse): then every backslash starts an escape inside a string.
 */
export function jsonbProblem(json: string): string | undefined {
  // The common case is no \u escape at all: one native scan.
  if (!json.includes('\\u')) return undefined;
  // Walk escape by escape from the first backslash: a `\\u0000` (escaped backslash, then text) is not an escape.
  let i = json.indexOf('\\');
  while (i !== -1) {
    if (json.charCodeAt(i + 1) !== LOWER_U) {
      i = json.indexOf('\\', i + 2);
      continue;
    }
    const code = hex4(json, i + 2);
    if (code === 0) return 'contains \\u0000, which PostgreSQL\'s jsonb cannot store';
    if (isHigh(code)) {
      const paired = json.charCodeAt(i + 6) === BACKSLASH && json.charCodeAt(i + 7) === LOWER_U && isLow(hex4(json, i + 8));
      if (!paired) return `contains an unpaired surrogate escape \\u${json.slice(i + 2, i + 6)}, which PostgreSQL's jsonb rejects`;
      i = json.indexOf('\\', i + 12);
      continue;
    }
    if (isLow(code)) return `contains an unpaired surrogate escape \\u${json.slice(i + 2, i + 6)}, which PostgreSQL's jsonb rejects`;
    i = json.indexOf('\\', i + 6);
  }
  return undefined;
}
