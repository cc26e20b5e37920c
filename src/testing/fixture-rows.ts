import { quoteIdentifier, quoteLiteral } from '../adapters/sql.js';
import { TsdbtError, type ErrorLocation } from '../core/errors.js';
import type { FixtureRows } from '../core/nodes.js';
import { ColumnTypeInference } from '../loaders/csv/column-types.js';

/** A column of a fixture query and the SQL type its literals are cast to. */
export interface TypedColumn {
  name: string;
  type: string;
}

/** The columns the rows name, in the order they first appear. */
export function fixtureColumns(fixture: FixtureRows): string[] {
  return [...new Set(fixture.rows.flatMap((row) => Object.keys(row)))];
}

/**
 * A column's type when nothing declares one: what every value fits, as a CSV seed's (integer, numeric, boolean,
 * dates...). A YAML string is text whatever it looks like, as in the YAML; null alone is text.
 */
export function inferredType(fixture: FixtureRows, column: string): string {
  const inference = new ColumnTypeInference();
  for (const row of fixture.rows) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    if (fixture.format === 'dict' && (typeof value === 'string' || typeof value === 'object')) return 'text';
    inference.observe(String(value));
  }
  return inference.type;
}

/**
 * The rows as a query of typed literals (`select '1'::integer as "id" union all ...`), every column cast so the query
 * has the types of the relation it stands for; a column a row omits is null. No rows: the same columns, `where false`.
 */
export function literalRowsQuery(columns: TypedColumn[], fixture: FixtureRows): string {
  const select = (row: Record<string, unknown>) =>
    `select ${columns.map((column) => `${literal(row[column.name])}::${column.type} as ${quoteIdentifier(column.name)}`).join(', ')}`;
  if (fixture.rows.length === 0) return `${select({})} where false`;
  return fixture.rows.map(select).join('\nunion all\n');
}

/** Always quoted (unlike `sqlLiteral`): the cast gives the type, and `-1::text` would parse as `-('1'::text)`. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return quoteLiteral(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * CSV text as rows of text: a header line of column names, then one line per row (RFC 4180 quoting). An unquoted empty
 * field is null, a quoted one the empty string, as in a CSV seed. Blank lines are skipped. `at` locates a line of the text.
 */
export function parseCsvRows(text: string, at: (line: number) => ErrorLocation): Array<Record<string, string | null>> {
  const records = csvRecords(text, at);
  const [header, ...rows] = records;
  if (!header) return [];
  const names = header.fields.map((field) => field ?? '');
  const blank = names.findIndex((name) => name.trim() === '');
  if (blank >= 0) throw new TsdbtError('config', `the CSV header names no column ${blank + 1}`, { location: at(header.line) });
  return rows.map(({ fields, line }) => {
    if (fields.length !== names.length) {
      throw new TsdbtError('config', `this CSV row has ${fields.length} field${fields.length === 1 ? '' : 's'}, and the header ${names.length}`, { location: at(line) });
    }
    return Object.fromEntries(names.map((name, i) => [name, fields[i]!]));
  });
}

interface CsvRecord {
  /** null for an unquoted empty field. */
  fields: Array<string | null>;
  /** 1-based line of the text where the record starts. */
  line: number;
}

function csvRecords(text: string, at: (line: number) => ErrorLocation): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: Array<string | null> = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endField = () => {
    fields.push(field === '' && !quoted ? null : field);
    field = '';
    quoted = false;
  };
  const endRecord = () => {
    endField();
    if (fields.length > 1 || fields[0] !== null) records.push({ fields, line: start });
    fields = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && field === '' && !quoted) {
      quoted = true;
      const close = closingQuote(text, i + 1);
      if (close < 0) throw new TsdbtError('config', 'a quoted CSV field is never closed', { location: at(line) });
      field = text.slice(i + 1, close).replace(/""/g, '"');
      line += (field.match(/\n/g) ?? []).length;
      i = close;
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  endRecord();
  return records;
}

/** The index of the quote closing a field whose text starts at `from`, past doubled quotes; -1 when there is none. */
function closingQuote(text: string, from: number): number {
  for (let i = text.indexOf('"', from); i >= 0; i = text.indexOf('"', i + 2)) {
    if (text[i + 1] !== '"') return i;
  }
  return -1;
}
