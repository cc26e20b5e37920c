/**
 * Values written as Python's `str()` and `repr()` write them. dbt builds generic tests' names and unique id hashes
 * from Python's text of YAML values; equal text gives equal ids.
 */

/** Python's `str(value)` of a value YAML gives: text as is, `True`, `None`, lists and dicts as their repr. */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

/** Python's `repr(value)` of a value YAML gives; a Map is a dict in its own order. */
export function pythonRepr(value: unknown): string {
  if (typeof value === 'string') return reprString(value);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return reprNumber(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  // A Map keeps any order of its keys; an object puts integer-like ones first.
  const entries = value instanceof Map ? [...value.entries()] : typeof value === 'object' ? Object.entries(value) : undefined;
  if (entries) return `{${entries.map(([key, item]) => `${pythonRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  return reprString(String(value));
}

/** Python's float text for what is not an integer: `inf`, `nan`, and exponents of two digits (`1e-07`). */
function reprNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value).replace(/e([+-])(\d)$/, 'e$10$2');
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** What `str.isprintable()` refuses: control, format, private, unassigned, and separators other than the space. */
const UNPRINTABLE = /^[\p{C}\p{Z}]$/u;

/** Single quotes, or double ones when the text has a single quote and no double one; unprintable characters escaped. */
function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const character of text) {
    if (character === quote) out += `\\${quote}`;
    else if (ESCAPES[character]) out += ESCAPES[character];
    else if (character !== ' ' && UNPRINTABLE.test(character)) out += escapeCodePoint(character.codePointAt(0)!);
    else out += character;
  }
  return out + quote;
}

function escapeCodePoint(code: number): string {
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}
