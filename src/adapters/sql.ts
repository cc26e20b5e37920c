import { createHash } from 'node:crypto';
import type { Relation } from '../core/nodes.js';

/** Always quoted, so spaces, capitals, quotes, reserved words and unicode all survive. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteRelation(relation: Relation): string {
  return `${quoteIdentifier(relation.schema)}.${quoteIdentifier(relation.identifier)}`;
}

/** The relation `quoteRelation` wrote (`"s"."t"`, quotes doubled inside), or undefined for any other text. */
export function parseQuotedRelation(quoted: string): Relation | undefined {
  const match = /^"((?:[^"]|"")*)"\."((?:[^"]|"")*)"$/.exec(quoted);
  return match ? { schema: match[1]!.replaceAll('""', '"'), identifier: match[2]!.replaceAll('""', '"') } : undefined;
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

/**
 * `names` with each repeat made distinct by a suffix (`a`, `a_2`) that is no other column's name: CREATE TABLE refuses
 * two columns of one name, which a query may return (`select 1 as a, 2 as a`, or `?column?` for each unnamed one).
 */
export function distinctIdentifiers(names: readonly string[], maxLength: number): string[] {
  const taken = new Set(names);
  const kept = new Set<string>();
  return names.map((name) => {
    if (!kept.has(name)) {
      kept.add(name);
      return name;
    }
    let candidate: string;
    let n = 2;
    do candidate = derivedIdentifier(name, `_${n++}`, maxLength);
    while (taken.has(candidate));
    taken.add(candidate);
    return candidate;
  });
}
