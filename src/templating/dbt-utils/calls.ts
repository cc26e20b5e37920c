/** The namespace templates write before a dbt_utils macro: `{{dbt_utils.star from=(ref "orders")}}`. */
export const DBT_UTILS_NAMESPACE = 'dbt_utils';

/**
 * Handlebars reads `dbt_utils.star` as the path `star` in the context's `dbt_utils`, which a `{{#each}}` or a partial
 * changes. Each such call in a parsed template is renamed to the one helper registered as `dbt_utils.star`, so it is
 * found wherever it is written. Other paths (`{{target.name}}`, `{{dbt_utils}}` alone) are left as they are.
 */
export function qualifyDbtUtilsCalls<T>(ast: T, macros: ReadonlyMap<string, unknown>): T {
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as { type?: string; parts?: unknown[]; data?: boolean; depth?: number; original?: string; head?: unknown; tail?: unknown };
    if (n.type === 'PathExpression' && !n.data && !n.depth && n.parts?.length === 2 && n.parts[0] === DBT_UTILS_NAMESPACE && macros.has(String(n.parts[1]))) {
      n.parts = [n.original!];
      return;
    }
    for (const value of Object.values(n)) if (value && typeof value === 'object') visit(value);
  };
  visit(ast);
  return ast;
}
