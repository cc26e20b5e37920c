import type { Connection } from '../adapters/adapter.js';
import type { ColumnType } from '../adapters/introspector.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { formatTable } from '../util/table.js';
import { TsdbtError } from '../core/errors.js';
import type { FixtureRows } from '../core/nodes.js';
import { fixtureColumns, literalRowsQuery } from './fixture-rows.js';

/**
 * The rows on which the model's output and `expect` disagree, as text: each row is its marker, `-` (expected) or `+`
 * (actual), then its values in the order of `columns`. Read by position, so a model column called like the marker
 * column (`diff` in the table printed) keeps its own values.
 */
export interface RowDiff {
  columns: string[];
  rows: Array<Array<string | null>>;
}

/**
 * Compares the rows of `actual` (a relation of this session) with `expect`, on the columns `expect` names (all of
 * them when it has no rows). The expected rows are cast to the actual columns' types, so values compare as the model's
 * type does (1 = 1.0 in a numeric column, '1' and 1 alike in a text one); EXCEPT ALL both ways ignores order and
 * counts duplicates.
 */
export async function compareRows(connection: Connection, actual: string, actualColumns: ColumnType[], expect: FixtureRows): Promise<RowDiff> {
  const named = fixtureColumns(expect);
  const unknown = named.filter((name) => !actualColumns.some((column) => column.name === name));
  if (unknown.length > 0) {
    throw new TsdbtError('compile', `expect names column${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, which the model does not return`, {
      hint: `it returns ${actualColumns.map((column) => column.name).join(', ')}`,
    });
  }
  const columns = named.length > 0 ? actualColumns.filter((column) => named.includes(column.name)) : actualColumns;
  const list = columns.map(comparable).join(', ');
  const asText = columns.map((column) => `${quoteIdentifier(column.name)}::text as ${quoteIdentifier(column.name)}`).join(', ');
  const difference = (side: string, from: string, without: string) =>
    `select '${side}', ${asText} from (select * from ${from} except all select * from ${without}) as difference`;
  const result = await connection.queryText(
    `with expected as (select ${list} from (\n${literalRowsQuery(columns, expect)}\n) as given), actual as (select ${list} from ${actual})\n${difference('-', 'expected', 'actual')}\nunion all\n${difference('+', 'actual', 'expected')}`,
  );
  return { columns: columns.map((column) => column.name), rows: result.rows };
}

/** Types without an equality operator compare as one that has it: json as jsonb, xml as text. */
const COMPARED_AS: Record<string, string> = { json: 'jsonb', xml: 'text' };

function comparable(column: ColumnType): string {
  const name = quoteIdentifier(column.name);
  const as = COMPARED_AS[column.type];
  return as ? `${name}::${as} as ${name}` : name;
}

/**
 * The diff as a table, ordered by the values so that an expected row sits beside the actual row that differs from
 * it, with a headline first (the reporter shows it on the node's line).
 */
export function describeDiff(diff: RowDiff): string {
  const count = (side: string) => diff.rows.filter(([marker]) => marker === side).length;
  const order = ([aSide, ...a]: Array<string | null>, [bSide, ...b]: Array<string | null>) => {
    for (let i = 0; i < a.length; i++) {
      const compared = compareText(a[i]!, b[i]!);
      if (compared !== 0) return compared;
    }
    // The expected row before the actual one.
    return aSide === bSide ? 0 : aSide === '-' ? -1 : 1;
  };
  return [
    `actual rows differ from expected: ${count('-')} missing, ${count('+')} unexpected`,
    formatTable(['diff', ...diff.columns], [...diff.rows].sort(order)),
    '- an expected row the model did not return; + a row it returned that was not expected',
  ].join('\n');
}

/** Nulls first, then by text, numbers by value ('9' before '10'). */
function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a.localeCompare(b, 'en', { numeric: true });
}
