import type { Node } from 'libpg-query';
import { Derivation } from './derivation.js';
import { stringsOf } from './output-names.js';
import type { ColumnSet, Scope } from './scope.js';

/** Where a bare name in a clause item is looked for first (PostgreSQL's findTargetlistEntrySQL92). */
export type BareNameRule = 'output first' | 'input first';

/**
 * What an ORDER BY, DISTINCT ON or GROUP BY item reads. As in PostgreSQL, an integer constant is a select-list
 * position, and a bare name may name an output column: ORDER BY and DISTINCT ON look at the output names first,
 * GROUP BY at the input columns first. Anything else is an expression over the input, which `expression` resolves.
 */
export function clauseItem(node: Node, output: ColumnSet, scope: Scope, rule: BareNameRule, expression: (node: Node) => Derivation): Derivation {
  const position = positionOf(node);
  if (position !== undefined) {
    // Columns of a `*` over unknown columns come first or in between: positions cannot be counted.
    const column = output.unknown ? undefined : output.columns[position - 1];
    return column?.derivation ?? Derivation.unresolvable(`position ${position}: ${output.unknown ?? 'not in the select list'}`);
  }
  const name = bareName(node);
  if (name === undefined) return expression(node);
  if (rule === 'input first') return scope.lookUp(name) ?? outputNamed(output, name) ?? Derivation.unresolvable(`${name}: no such column in scope`);
  const named = outputNamed(output, name);
  if (named) return named;
  // The name may be an output column we cannot list.
  return output.unknown ? Derivation.unresolvable(`${name}: ${output.unknown}`) : expression(node);
}

function positionOf(node: Node): number | undefined {
  return 'A_Const' in node && node.A_Const.ival ? (node.A_Const.ival.ival ?? 0) : undefined;
}

function bareName(node: Node): string | undefined {
  if (!('ColumnRef' in node)) return undefined;
  const fields = node.ColumnRef.fields ?? [];
  return fields.length === 1 ? stringsOf(fields)[0] : undefined;
}

/** Every output column of that name (PostgreSQL accepts several only when they are the same expression). */
function outputNamed(output: ColumnSet, name: string): Derivation | undefined {
  const columns = output.columns.filter((column) => column.name === name);
  return columns.length === 0 ? undefined : Derivation.union(columns.map((column) => column.derivation));
}
