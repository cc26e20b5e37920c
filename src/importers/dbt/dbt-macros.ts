import type { ConstantValue } from './constant-values.js';

/**
 * dbt's own cross-database macros whose PostgreSQL implementation is plain SQL of their arguments, rendered when
 * importing as dbt-postgres renders them (dbt-adapters' `default__` or `postgres__` macro). Called with or without the
 * `dbt.` prefix; only with arguments known when importing.
 */
type Render = (args: string[]) => string | undefined;

const COLUMN_TYPES: Record<string, string> = {
  type_string: 'TEXT',
  type_timestamp: 'TIMESTAMP',
  type_float: 'FLOAT',
  type_int: 'INT',
  type_boolean: 'BOOLEAN',
  type_bigint: 'bigint',
  type_numeric: 'numeric(28,6)',
};

const MACROS: Record<string, Render> = {
  ...Object.fromEntries(Object.entries(COLUMN_TYPES).map(([name, type]) => [name, (args: string[]) => (args.length === 0 ? type : undefined)])),
  current_timestamp: (args) => (args.length === 0 ? 'now()' : undefined),
  date_trunc: ([datepart, date, ...rest]) => (date !== undefined && rest.length === 0 ? `date_trunc('${datepart}', ${date})` : undefined),
  dateadd: ([datepart, interval, from, ...rest]) => (from !== undefined && rest.length === 0 ? `${from} + ((interval '1 ${datepart}') * (${interval}))` : undefined),
  safe_cast: ([field, type, ...rest]) => (type !== undefined && rest.length === 0 ? `cast(${field} as ${type})` : undefined),
  split_part: ([text, delimiter, part, ...rest]) => (part !== undefined && rest.length === 0 ? `split_part(${text}, ${delimiter}, ${part})` : undefined),
  hash: ([field, ...rest]) => (field !== undefined && rest.length === 0 ? `md5(cast(${field} as TEXT))` : undefined),
  any_value: ([expression, ...rest]) => (expression !== undefined && rest.length === 0 ? `min(${expression})` : undefined),
  bool_or: ([expression, ...rest]) => (expression !== undefined && rest.length === 0 ? `bool_or(${expression})` : undefined),
  string_literal: ([value, ...rest]) => (value !== undefined && rest.length === 0 ? `'${value}'` : undefined),
  escape_single_quotes: ([value, ...rest]) => (value !== undefined && rest.length === 0 ? value.replaceAll("'", "''") : undefined),
};

/** `concat` takes a list of fields. */
function concat(args: ConstantValue[]): string | undefined {
  const [fields, ...rest] = args;
  return Array.isArray(fields) && rest.length === 0 && fields.every((field) => typeof field === 'string') ? `concat(${fields.join(', ')})` : undefined;
}

/** The SQL dbt-postgres renders for `name(args)`, or undefined when the macro or its arguments are not known. */
export function knownDbtMacro(name: string, args: Array<ConstantValue | undefined>, hasKeywords: boolean): string | undefined {
  const bare = name.startsWith('dbt.') ? name.slice(4) : name;
  if (hasKeywords || bare.includes('.') || args.some((arg) => arg === undefined)) return undefined;
  if (bare === 'concat') return concat(args as ConstantValue[]);
  const render = MACROS[bare];
  if (!render || args.some((arg) => typeof arg !== 'string' && typeof arg !== 'number')) return undefined;
  return render(args.map(String));
}
