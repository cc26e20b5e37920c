import type { DeclaredColumn, ModelRow } from './model-output.js';

/** Rows per COPY chunk: chunks end on row boundaries, as every adapter's copyFrom accepts. */
const CHUNK_BYTES = 1 << 20;

/** Encodes rows as COPY text format (tab-separated, `\N` for null), in chunks of about a megabyte. */
export async function* encodeCopyRows(columns: DeclaredColumn[], rows: Iterable<ModelRow> | AsyncIterable<ModelRow>): AsyncGenerator<string> {
  let chunk = '';
  for await (const row of rows) {
    if (row === null || typeof row !== 'object') throw new Error(`a model row must be an object, got ${row === null ? 'null' : typeof row}`);
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) line += '\t';
      line += copyField(row[columns[i]!.name]);
    }
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_BYTES) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/[\\\t\n\r]/g, (character) => ESCAPES[character]!);
}
