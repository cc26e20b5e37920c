import { quoteIdentifier, sqlLiteral } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import type { RenderHooks } from '../templating/render-hooks.js';

/** What a generic test is rendered with: the tested relation, its column, its arguments. */
export interface GenericTestCall {
  /** The tested relation, or `(select ... where <where>) as dbt_subquery`: usable after FROM, without an alias. */
  model: string;
  /** The tested column, quoted; undefined for a test on a whole relation. */
  column?: string;
  /** The tested column as the property file writes it, which dbt_utils' tests write into their SQL unquoted. */
  columnName?: string;
  /** The test keeps its failing rows (dbt's should_store_failures()). */
  storeFailures: boolean;
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
  /** The test's own default `fail_calc`, when its rows are not each a failure (dbt_utils.equal_rowcount). */
  readonly failCalc?: string;
  render(call: GenericTestCall): string;
}

function builtin(name: string, needsColumn: boolean | undefined, required: string[], optional: string[], render: (call: GenericTestCall) => string): GenericTest {
  return { name, needsColumn, required, optional, render };
}

function list(value: unknown, argument: string, test: string): unknown[] {
  if (Array.isArray(value) && value.length > 0) return value;
  throw new TsdbtError('config', `${test}: '${argument}' must be a non-empty list`);
}

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
  builtin('not_empty', false, [], [], ({ model }) => `select 'no rows' as failure\nwhere not exists (select 1 from ${model})`),
];

export const BUILTIN_GENERIC_TESTS: ReadonlyMap<string, GenericTest> = new Map(BUILTIN_TESTS.map((test) => [test.name, test]));
