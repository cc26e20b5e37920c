/** A relation named in YAML: dbt's `ref('x')` / `source('s', 't')`, or tsdbt's `{{ref "x"}}` / `{{source "s" "t"}}`. */
export type RelationCall = { kind: 'ref'; name: string } | { kind: 'source'; source: string; table: string };

const CALL = /^\s*(?:(ref|source)\s*\(([^)]*)\)|\{\{\s*(ref|source)\s+([^}]*)\}\})\s*$/;
const QUOTED = /^\s*(?:'([^']*)'|"([^"]*)")\s*$/;
const SPACED = /'[^']*'|"[^"]*"|\S+/g;

/** The call `text` holds, or undefined when it is neither form. */
export function parseRelationCall(text: string): RelationCall | undefined {
  const match = CALL.exec(text);
  if (!match) return undefined;
  const kind = (match[1] ?? match[3]) as 'ref' | 'source';
  const written = match[2] !== undefined ? match[2].split(',') : (match[4]!.match(SPACED) ?? []);
  const names = written.map((arg) => QUOTED.exec(arg));
  if (names.some((name) => name === null)) return undefined;
  const [first, second] = names.map((name) => name![1] ?? name![2]!);
  if (kind === 'ref') return names.length === 1 ? { kind, name: first! } : undefined;
  return names.length === 2 ? { kind, source: first!, table: second! } : undefined;
}
