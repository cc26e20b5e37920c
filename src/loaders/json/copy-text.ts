/*
 * PostgreSQL COPY text format (the default of `COPY ... FROM STDIN`): columns separated by tab, rows by newline,
 * `\N` for null. Inside a field, backslash, tab, newline and carriage return must be backslash-escaped; every other
 * character (including the rest of Unicode) passes through as is, except NUL: PostgreSQL text cannot hold it, in any
 * escape, so it becomes U+FFFD, as invalid UTF-8 does when a file is decoded. Only rejects' raw text can hold a NUL
 * (a JSON text that parsed cannot), and one NUL must not fail the COPY of every reject of the batch.
 */

// Non-global on purpose: `test` on a /g regex is stateful (lastIndex).
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES = /[\\\t\n\r\0]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\ufffd' };

/** One field in PostgreSQL COPY text format: backslash, tab, newline and carriage return escaped, NUL replaced; null as \N. */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  // Most values (compact JSON without escapes) need nothing: one scan, no allocation.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPES, (ch) => ESCAPED[ch] ?? ch);
}

/** One row in COPY text format, newline-terminated. */
export function copyRow(values: readonly (string | null)[]): string {
  let row = '';
  for (let i = 0; i < values.length; i++) row += (i === 0 ? '' : '\t') + copyField(values[i] ?? null);
  return row + '\n';
}
