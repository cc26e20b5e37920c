/**
 * A plain text table, as `tsdbt show` prints rows: one array of values per row, in the order of `columns` (which may
 * repeat a name). Values are text as PostgreSQL writes them; NULL prints as `NULL`, so it differs from an empty string.
 */
export function formatTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null>>): string {
  const cells = rows.map((row) => columns.map((_, i) => formatValue(row[i] ?? null)));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  return [line([...columns]), rule, ...cells.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

function formatValue(value: string | null): string {
  return value === null ? 'NULL' : value.replace(/\n/g, '\\n');
}
