import type { Node, SelectStmt } from 'libpg-query';

/**
 * Every object of a parse tree, depth first. `enter` returns false to skip what lies below an object (a subquery
 * that is another query level, say). libpg-query's trees are plain JSON: no cycles.
 */
export function walk(tree: unknown, enter: (node: object) => boolean | void): void {
  if (tree === null || typeof tree !== 'object') return;
  if (Array.isArray(tree)) {
    for (const item of tree) walk(item, enter);
    return;
  }
  if (enter(tree) === false) return;
  for (const value of Object.values(tree)) walk(value, enter);
}

export function isSetOperation(select: SelectStmt): boolean {
  return select.op !== undefined && select.op !== 'SETOP_NONE';
}

/** `*` or `t.*` as written, when `node` is a star. */
export function starOf(node: Node | undefined): string | undefined {
  if (!node || !('ColumnRef' in node)) return undefined;
  const fields = node.ColumnRef.fields ?? [];
  if (!fields.some((field) => 'A_Star' in field)) return undefined;
  return fields.map((field) => ('String' in field ? field.String.sval : '*')).join('.');
}
