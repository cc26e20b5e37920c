/** Plain-text tables with aligned columns. */

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

function pad(text: string, width: number, align: Align): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((col, i) => Math.max(col.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((col, i) => pad(cells[i] ?? '', widths[i]!, col.align ?? 'left'))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join('\n');
}

export function seconds(value: number): string {
  return value.toFixed(3);
}

export function megabytes(value: number): string {
  return value.toFixed(1);
}
