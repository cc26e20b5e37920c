import { createHash } from 'node:crypto';
import type { Relation } from '../graph/nodes.js';

/** Always quoted, so spaces, capitals, quotes, reserved words and unicode all survive. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteRelation(relation: Relation): string {
  return `${quoteIdentifier(relation.schema)}.${quoteIdentifier(relation.identifier)}`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A value as a SQL literal: strings quoted, numbers and booleans as they are, anything else as JSON text. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return quoteLiteral(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * A name derived from `base` with a suffix, within the identifier limit: PostgreSQL truncates silently at 63 bytes,
 * which would make two long names collide, so long bases are cut and disambiguated by a hash.
 */
export function derivedIdentifier(base: string, suffix: string, maxLength: number): string {
  const full = `${base}${suffix}`;
  if (Buffer.byteLength(full) <= maxLength) return full;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  let cut = base;
  while (Buffer.byteLength(`${cut}_${hash}${suffix}`) > maxLength) cut = cut.slice(0, -1);
  return `${cut}_${hash}${suffix}`;
}
