import { PostgresQueryCompiler } from 'kysely';

/**
 * Compiles Kysely queries with every value written as a literal instead of a `$n` parameter: a model's query is
 * materialised inside other statements (`create table ... as`, `create view ... as`), where parameters cannot go.
 * Values become untyped quoted literals, which PostgreSQL types from their context exactly as it types the untyped
 * text parameters the pg driver sends, so a query means the same inlined as it would have executed.
 */
export class InliningQueryCompiler extends PostgresQueryCompiler {
  protected override appendValue(value: unknown): void {
    this.append(sqlLiteral(value));
  }
}

/** A value as SQL literal text. Numbers stay bare (negative ones in parentheses, so `a - -1` never reads `a --1`). */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value))) return value < 0 ? `(${value})` : String(value);
  return quoteLiteral(literalText(value));
}

/** What PostgreSQL reads for a value, as the pg driver writes it for a parameter (Dates in UTC, objects as JSON). */
function literalText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `{"a","b",NULL}`: elements quoted with backslash escapes, nested arrays as nested braces. */
function arrayLiteral(values: unknown[]): string {
  const elements = values.map((element) => {
    if (element === null || element === undefined) return 'NULL';
    if (Array.isArray(element)) return arrayLiteral(element);
    return `"${literalText(element).replace(/[\\"]/g, '\\$&')}"`;
  });
  return `{${elements.join(',')}}`;
}

/**
 * `'...'` with quotes doubled; text with a backslash becomes `E'...'` with backslashes doubled too, which reads the
 * same whatever `standard_conforming_strings` says.
 */
function quoteLiteral(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
