import type { FuncCall, Node, SQLValueFunctionOp } from 'libpg-query';

/** PostgreSQL's name for an unnamed select-list value it cannot name better. */
export const UNNAMED_COLUMN = '?column?';

const SQL_VALUE_FUNCTION_NAMES: Record<SQLValueFunctionOp, string> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

export function stringsOf(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).flatMap((node) => ('String' in node && node.String.sval !== undefined ? [node.String.sval] : []));
}

/** A function's name without its schema (`pg_catalog.upper` is `upper`). */
export function functionName(call: FuncCall): string | undefined {
  const last = call.funcname?.at(-1);
  return last && 'String' in last ? last.String.sval : undefined;
}

/**
 * The name PostgreSQL gives a select-list value written without `AS` (FigureColname in parse_target.c), with its
 * strength: 2 for a name taken from the expression, 1 for a fallback (a type name, `case`) that an outer cast
 * overrides, 0 for none. `subqueryColumnName` names a scalar subquery: its first output column.
 */
function figureName(node: Node, subqueryColumnName: (subquery: Node) => string | undefined): [string, number] | undefined {
  if ('ColumnRef' in node) {
    const last = node.ColumnRef.fields?.at(-1);
    return last && 'String' in last && last.String.sval !== undefined ? [last.String.sval, 2] : undefined;
  }
  if ('A_Indirection' in node) {
    const last = node.A_Indirection.indirection?.at(-1);
    if (last && 'String' in last && last.String.sval !== undefined) return [last.String.sval, 2];
    return node.A_Indirection.arg ? figureName(node.A_Indirection.arg, subqueryColumnName) : undefined;
  }
  if ('FuncCall' in node) {
    const name = functionName(node.FuncCall);
    return name === undefined ? undefined : [name, 2];
  }
  if ('A_Expr' in node) return node.A_Expr.kind === 'AEXPR_NULLIF' ? ['nullif', 2] : undefined;
  if ('TypeCast' in node) {
    const inner = node.TypeCast.arg ? figureName(node.TypeCast.arg, subqueryColumnName) : undefined;
    if (inner && inner[1] > 1) return inner;
    const typeName = stringsOf(node.TypeCast.typeName?.names).at(-1);
    return typeName === undefined ? inner : [typeName, 1];
  }
  if ('CollateClause' in node) return node.CollateClause.arg ? figureName(node.CollateClause.arg, subqueryColumnName) : undefined;
  if ('SubLink' in node) {
    const { subLinkType, subselect } = node.SubLink;
    if (subLinkType === 'EXISTS_SUBLINK') return ['exists', 2];
    if (subLinkType === 'ARRAY_SUBLINK') return ['array', 2];
    if (subLinkType === 'EXPR_SUBLINK' && subselect) {
      const name = subqueryColumnName(subselect);
      return name === undefined ? undefined : [name, 2];
    }
    return undefined;
  }
  if ('CaseExpr' in node) return ['case', 1];
  if ('A_ArrayExpr' in node) return ['array', 2];
  if ('RowExpr' in node) return ['row', 2];
  if ('CoalesceExpr' in node) return ['coalesce', 2];
  if ('MinMaxExpr' in node) return [node.MinMaxExpr.op === 'IS_LEAST' ? 'least' : 'greatest', 2];
  if ('GroupingFunc' in node) return ['grouping', 2];
  if ('SQLValueFunction' in node) return node.SQLValueFunction.op ? [SQL_VALUE_FUNCTION_NAMES[node.SQLValueFunction.op], 2] : undefined;
  return undefined;
}

export function outputColumnName(node: Node, subqueryColumnName: (subquery: Node) => string | undefined): string {
  return figureName(node, subqueryColumnName)?.[0] ?? UNNAMED_COLUMN;
}
