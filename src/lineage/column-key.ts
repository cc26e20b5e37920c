import type { ColumnRef } from './types.js';

const SEPARATOR = '\u0000';

/** A column as one string, to keep it in sets and maps: unique_ids and column names never hold NUL. */
export function columnKey(ref: ColumnRef): string {
  return `${ref.node}${SEPARATOR}${ref.column}`;
}

export function columnOfKey(key: string): ColumnRef {
  const at = key.indexOf(SEPARATOR);
  return { node: key.slice(0, at), column: key.slice(at + 1) };
}
