import { quoteIdentifier, sqlLiteral } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import type { RenderHooks } from '../templating/render-hooks.js';

/** What a generic test is rendered with: the tested relation, its column, its arguments. */
export interface GenericTestCall {
  /** The tested relation, or `(select ... where <where>) as dbt_subquery`: usable after FROM, without an alias. */
  model: string;
  /** The tested column, quoted; undefined for a test on a whole relation. */
  column?: string;
  args: Record<string, unknown>;
  /** Resolves `ref('x')` / `source('s', 't')` as written in an argument (relationships' `to`). */
  relation(text: string, argument: string): string;
  /** The render's hooks, for templates that call `{{ref}}` themselves. */
  hooks: RenderHooks;
}

/** A test template: SQL selecting the failing rows. Built in here, or a project's Handlebars file (custom-tests.ts). */
export interface GenericTest {
  readonly name: string;
  readonly required: readonly string[];
  /** The other arguments it takes; undefined when it takes any (a project's template). */
  readonly optional: readonly string[] | undefined;
  /** Tests of a column need one; tests of a relation have none. */
  readonly needsColumn: boolean | undefined;
  render(call: GenericTestCall): string;
}

function builtin(name: string, needsColumn: boolean | undefined, required: string[], optional: string[], render: (call: GenericTestCall) => string): GenericTest {
  return { name, needsColumn, required, optional, render };
}

function list(value: unknown, argument: string, test: string): unknown[] {
  if (Array.isArray(value) && value.length > 0) return value;
  throw new TsdbtError('config', `${test}: '${argument}' must be a non-empty list`);
}

const DATEPARTS = new Set(['microsecond', 'millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']);

const BUILTIN_TESTS: GenericTest[] = [
  builtin('not_null', true, [], [], ({ model, column }) => `select *\nfrom ${model}\nwhere ${column} is null`),
  builtin('unique', true, [], [], ({ model, column }) => `select ${column} as unique_field, count(*) as n_records\nfrom ${model}\nwhere ${column} is not null\ngroup by ${column}\nhaving count(*) > 1`),
  builtin('accepted_values', true, ['values'], ['quote'], ({ model, column, args }) => {
    const values = list(args.values, 'values', 'accepted_values').map((value) => (args.quote === false ? String(value) : sqlLiteral(value)));
    return `select ${column} as value_field, count(*) as n_records\nfrom ${model}\nwhere ${column} is not null and ${column} not in (${values.join(', ')})\ngroup by ${column}`;
  }),
  builtin('relationships', true, ['to', 'field'], [], ({ model, column, args, relation }) => {
    const parent = relation(String(args.to), 'to');
    const field = quoteIdentifier(String(args.field));
    return `select child.${column} as from_field\nfrom (select ${column} from ${model} where ${column} is not null) as child\nleft join ${parent} as parent on child.${column} = parent.${field}\nwhere parent.${field} is null`;
  }),
  builtin('expression_is_true', undefined, ['expression'], [], ({ model, column, args }) => `select *\nfrom ${model}\nwhere not (${column ? `${column} ` : ''}${String(args.expression)})`),
  builtin('unique_combination_of_columns', false, ['combination_of_columns'], [], ({ model, args }) => {
    const columns = list(args.combination_of_columns, 'combination_of_columns', 'unique_combination_of_columns').map((name) => quoteIdentifier(String(name))).join(', ');
    return `select ${columns}, count(*) as n_records\nfrom ${model}\ngroup by ${columns}\nhaving count(*) > 1`;
  }),
  builtin('accepted_range', true, [], ['min_value', 'max_value', 'inclusive'], ({ model, column, args }) => {
    if (args.min_value === undefined && args.max_value === undefined) throw new TsdbtError('config', 'accepted_range needs min_value, max_value or both');
    const strict = args.inclusive === false;
    const bounds = [
      args.min_value !== undefined && `${column} ${strict ? '>' : '>='} ${sqlLiteral(args.min_value)}`,
      args.max_value !== undefined && `${column} ${strict ? '<' : '<='} ${sqlLiteral(args.max_value)}`,
    ].filter(Boolean);
    return `select *\nfrom ${model}\nwhere not (${bounds.join(' and ')})`;
  }),
  builtin('not_empty', false, [], [], ({ model }) => `select 'no rows' as failure\nwhere not exists (select 1 from ${model})`),
  builtin('recency', false, ['datepart', 'field', 'interval'], [], ({ model, args }) => {
    const datepart = String(args.datepart).toLowerCase();
    const interval = Number(args.interval);
    if (!DATEPARTS.has(datepart)) throw new TsdbtError('config', `recency: datepart '${String(args.datepart)}' is not one of ${[...DATEPARTS].join(', ')}`);
    if (!Number.isFinite(interval)) throw new TsdbtError('config', `recency: interval must be a number, got '${String(args.interval)}'`);
    const field = quoteIdentifier(String(args.field));
    return `select max(${field}) as most_recent, now() - interval '${interval} ${datepart}' as threshold\nfrom ${model}\nhaving max(${field}) is null or max(${field}) < now() - interval '${interval} ${datepart}'`;
  }),
];

export const BUILTIN_GENERIC_TESTS: ReadonlyMap<string, GenericTest> = new Map(BUILTIN_TESTS.map((test) => [test.name, test]));
