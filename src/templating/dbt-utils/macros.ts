import { quoteIdentifier } from '../../adapters/sql.js';
import { TsdbtError } from '../../core/errors.js';
import { DatabaseAnswers, renderReading, type ReadDatabase } from '../compile-time-database.js';
import type { CompileTimeDatabase } from '../render-hooks.js';
import { bindArguments, listArgument, optional, required, truthy, type Parameter } from './arguments.js';
import { dbtColumn, type DbtColumn } from './column-types.js';
import { datediff, dateadd, STRING_TYPE } from './dates.js';

/** What a dbt_utils macro reads besides its arguments. */
export interface MacroContext {
  /** Absent while parsing: macros that read the database then give what dbt gives when it is not executing. */
  database: CompileTimeDatabase | undefined;
  variable(name: string, fallback: unknown): unknown;
}

/** A dbt_utils macro: dbt_utils' parameters, and the SQL (or value) dbt_utils 1.x renders on PostgreSQL. */
export interface DbtUtilsMacro {
  parameters: readonly Parameter[];
  render(args: Record<string, unknown>, context: MacroContext): unknown;
}

const text = (value: unknown) => String(value);

/** Jinja's `value|lower` over a list of names. */
const lowered = (values: unknown[]) => values.map((value) => text(value).toLowerCase());

/** A relation's columns as dbt reads them, [] while parsing or while the answer is being fetched. */
function columnsOf(relation: unknown, context: MacroContext): DbtColumn[] {
  return (context.database?.columns(text(relation)) ?? []).map(dbtColumn);
}

/** dbt_utils.slugify: lower case, spaces and dashes to `_`, only `[a-z0-9_]`, `_` before a leading digit. */
export function slugify(value: string): string {
  if (!value) return '';
  const slug = value.toLowerCase().replace(/[ -]+/g, '_').replace(/[^a-z0-9_]+/g, '');
  return /^[0-9]/.test(slug) ? `_${slug}` : slug;
}

/** dbt_utils.generate_series: the numbers 1..upperBound from powers of two. */
function generateSeries(upperBound: number, upperBoundText: string): string {
  if (upperBound <= 0) throw new TsdbtError('compile', 'dbt_utils.generate_series: upper bound must be positive');
  let powers = 1;
  while (upperBound > 2 ** powers && powers < 99) powers++;
  const digits = Array.from({ length: powers }, (_, i) => i);
  return `with p as (
        select 0 as generated_number union all select 1
    ), unioned as (
    select
    ${digits.map((i) => `p${i}.generated_number * power(2, ${i})`).join('\n     + ')}
    + 1
    as generated_number
    from
    ${digits.map((i) => `p as p${i}`).join('\n     cross join ')}
    )
    select *
    from unioned
    where generated_number <= ${upperBoundText}
    order by generated_number`;
}

const generateSurrogateKey: DbtUtilsMacro = {
  parameters: [required('field_list')],
  render({ field_list }, context) {
    const fields = listArgument('dbt_utils.generate_surrogate_key', 'field_list', field_list);
    const nullValue = truthy(context.variable('surrogate_key_treat_nulls_as_empty_strings', false)) ? '' : '_dbt_utils_surrogate_key_null_';
    const coalesced = fields.map((field) => `coalesce(cast(${text(field)} as ${STRING_TYPE}), '${nullValue}')`);
    return `md5(cast(${coalesced.join(" || '-' || ")} as ${STRING_TYPE}))`;
  },
};

const star: DbtUtilsMacro = {
  parameters: [required('from'), optional('relation_alias', false), optional('except', []), optional('prefix', ''), optional('suffix', ''), optional('quote_identifiers', true), optional('unquote_aliases', false)],
  render(args, context) {
    if (!context.database) return '*';
    const except = lowered(listArgument('dbt_utils.star', 'except', args.except));
    const columns = columnsOf(args.from, context).filter((column) => !except.includes(column.name.toLowerCase()));
    if (columns.length === 0) return '/* no columns returned from star() macro */';
    const prefix = text(args.prefix);
    const suffix = text(args.suffix);
    const renamed = prefix !== '' || suffix !== '';
    const alias = truthy(args.relation_alias) ? `${text(args.relation_alias)}.` : '';
    return columns
      .map(({ name }) => {
        const aliased = `${prefix}${name}${suffix}`.trim();
        if (!truthy(args.quote_identifiers)) return `${alias}${name.trim()}${renamed ? ` as ${aliased}` : ''}`;
        const as = truthy(args.unquote_aliases) ? ` as ${aliased}` : renamed ? ` as ${quoteIdentifier(aliased)}` : '';
        return `${alias}${quoteIdentifier(name)}${as}`;
      })
      .join(',\n  ');
  },
};

const dateSpine: DbtUtilsMacro = {
  parameters: [required('datepart'), required('start_date'), required('end_date')],
  render(args, context) {
    const datepart = text(args.datepart);
    const startDate = text(args.start_date);
    const endDate = text(args.end_date);
    const between = datediff(startDate, endDate, datepart);
    // dbt runs the datediff while compiling and writes the number in (a float, `12.0`, where PostgreSQL's is one).
    const answer = context.database?.rows(`select ${between.sql}`)?.[0]?.[0];
    const intervals = answer === undefined || answer === null ? 1 : Number(answer);
    const intervalsText = answer === undefined || answer === null ? '1' : between.isFloat && Number.isInteger(intervals) ? `${intervals}.0` : String(intervals);
    return `with rawdata as (
    ${generateSeries(intervals, intervalsText)}
),
all_periods as (
    select (
        ${dateadd(datepart, 'row_number() over (order by generated_number) - 1', startDate)}
    ) as date_${datepart}
    from rawdata
),
filtered as (
    select *
    from all_periods
    where date_${datepart} <= ${endDate}
)
select * from filtered`;
  },
};

const pivot: DbtUtilsMacro = {
  parameters: [
    required('column'),
    required('values'),
    optional('alias', true),
    optional('agg', 'sum'),
    optional('cmp', '='),
    optional('prefix', ''),
    optional('suffix', ''),
    optional('then_value', 1),
    optional('else_value', 0),
    optional('quote_identifiers', true),
    optional('distinct', false),
  ],
  render(args) {
    const values = listArgument('dbt_utils.pivot', 'values', args.values);
    return values
      .map((value) => {
        const name = `${text(args.prefix)}${text(value)}${text(args.suffix)}`;
        const alias = !truthy(args.alias) ? '' : truthy(args.quote_identifiers) ? ` as ${quoteIdentifier(name)}` : ` as ${slugify(name)}`;
        const distinct = truthy(args.distinct) ? ' distinct ' : '';
        return `${text(args.agg)}(${distinct}
      case
      when ${text(args.column)} ${text(args.cmp)} '${text(value).replaceAll("'", "''")}'
        then ${text(args.then_value)}
      else ${text(args.else_value)}
      end
    )${alias}`;
      })
      .join(',\n  ');
  },
};

const unpivot: DbtUtilsMacro = {
  parameters: [required('relation'), optional('cast_to', 'varchar'), optional('exclude', null), optional('remove', null), optional('field_name', 'field_name'), optional('value_name', 'value'), optional('quote_identifiers', false)],
  render(args, context) {
    const exclude = args.exclude === null ? [] : listArgument('dbt_utils.unpivot', 'exclude', args.exclude);
    const remove = args.remove === null ? [] : listArgument('dbt_utils.unpivot', 'remove', args.remove);
    const left = new Set([...lowered(exclude), ...lowered(remove)]);
    const quoted = (name: unknown) => (truthy(args.quote_identifiers) ? quoteIdentifier(text(name)) : text(name));
    const relation = text(args.relation);
    return columnsOf(relation, context)
      .filter((column) => !left.has(column.name.toLowerCase()))
      .map((column) => {
        const value = column.dataType === 'boolean' ? `cast(${quoted(column.name)} as ${STRING_TYPE})` : quoted(column.name);
        return `select
      ${exclude.map((name) => `${quoted(name)},`).join('\n      ')}
      cast('${column.name}' as ${STRING_TYPE}) as ${quoted(args.field_name)},
      cast(${value} as ${text(args.cast_to)}) as ${quoted(args.value_name)}
    from ${relation}`;
      })
      .join('\n    union all\n    ');
  },
};

const unionRelations: DbtUtilsMacro = {
  parameters: [required('relations'), optional('column_override', null), optional('include', []), optional('exclude', []), optional('source_column_name', '_dbt_source_relation'), optional('where', null)],
  render(args, context) {
    const include = lowered(listArgument('dbt_utils.union_relations', 'include', args.include));
    const exclude = lowered(listArgument('dbt_utils.union_relations', 'exclude', args.exclude));
    if (include.length > 0 && exclude.length > 0) throw new TsdbtError('compile', 'dbt_utils.union_relations: both an exclude and include list were provided; only one is allowed');
    if (!context.database) return '';
    const relations = listArgument('dbt_utils.union_relations', 'relations', args.relations).map(text);
    const override = (args.column_override ?? {}) as Record<string, unknown>;
    const superset = new Map<string, DbtColumn>();
    const relationColumns = new Map<string, Set<string>>();
    for (const relation of relations) {
      const own = new Set<string>();
      relationColumns.set(relation, own);
      for (const column of columnsOf(relation, context)) {
        const lower = column.name.toLowerCase();
        if ((exclude.length > 0 && exclude.includes(lower)) || (include.length > 0 && !include.includes(lower))) continue;
        own.add(column.name);
        const stored = superset.get(column.name);
        // A longer string type wins, as in dbt.
        if (!stored || (column.stringSize !== undefined && stored.stringSize !== undefined && column.stringSize > stored.stringSize)) superset.set(column.name, column);
      }
    }
    if (superset.size === 0 && (include.length > 0 || exclude.length > 0) && context.database.columns(relations[0] ?? '') !== undefined) {
      throw new TsdbtError('compile', `dbt_utils.union_relations: there were no columns found to union for relations ${relations.join(', ')}`);
    }
    const sourceColumn = args.source_column_name === null ? undefined : text(args.source_column_name);
    return relations
      .map((relation) => {
        const selected = [...superset.values()].map((column) => {
          const value = relationColumns.get(relation)!.has(column.name) ? quoteIdentifier(column.name) : 'null';
          return `cast(${value} as ${text(override[column.name] ?? column.dataType)}) as ${quoteIdentifier(column.name)}`;
        });
        const source = sourceColumn === undefined ? '' : `cast('${relation}' as ${STRING_TYPE}) as ${sourceColumn},`;
        return `(
            select
                ${source}
                /* No columns from any of the relations.
                   This star is only output during dbt compile, and exists to keep SQLFluff happy. */
                ${selected.join(' ,\n                ')}
            from ${relation}
            ${args.where === null ? '' : `where ${text(args.where)}`}
        )`;
      })
      .join('\n        union all\n        ');
  },
};

const getColumnValues: DbtUtilsMacro = {
  parameters: [required('table'), required('column'), optional('order_by', 'count(*) desc'), optional('max_records', null), optional('default', null), optional('where', null)],
  render(args, context) {
    const fallback = args.default === null ? null : listArgument('dbt_utils.get_column_values', 'default', args.default);
    if (!context.database) return fallback ?? [];
    const table = text(args.table);
    const columns = context.database.columns(table);
    if (columns === undefined) return fallback ?? [];
    if (columns.length === 0) {
      if (fallback === null) throw new TsdbtError('compile', `In get_column_values(): relation ${table} does not exist and no default value was provided.`);
      return fallback;
    }
    const column = text(args.column);
    const sql = [
      `select ${column} as value from ${table}`,
      args.where === null ? '' : `where ${text(args.where)}`,
      `group by ${column} order by ${text(args.order_by)}`,
      args.max_records === null ? '' : `limit ${text(args.max_records)}`,
    ].filter(Boolean).join(' ');
    const rows = context.database.rows(sql);
    if (rows === undefined || rows.length === 0) return fallback ?? [];
    return rows.map((row) => row[0]);
  },
};

const safeAdd: DbtUtilsMacro = {
  parameters: [required('field_list')],
  render: ({ field_list }) => listArgument('dbt_utils.safe_add', 'field_list', field_list).map((field) => `coalesce(${text(field)}, 0)`).join(' +\n  '),
};

const safeDivide: DbtUtilsMacro = {
  parameters: [required('numerator'), required('denominator')],
  render: ({ numerator, denominator }) => `( ${text(numerator)} ) / nullif( ( ${text(denominator)} ), 0)`,
};

const deduplicate: DbtUtilsMacro = {
  parameters: [required('relation'), required('partition_by'), required('order_by')],
  // dbt_utils' PostgreSQL form: DISTINCT ON.
  render: ({ relation, partition_by, order_by }) => `select
        distinct on (${text(partition_by)}) *
    from ${text(relation)}
    order by ${text(partition_by)},${text(order_by)}`,
};

const groupBy: DbtUtilsMacro = {
  parameters: [required('n')],
  render({ n }) {
    const count = Number(n);
    if (!Number.isInteger(count) || count < 1) throw new TsdbtError('compile', `dbt_utils.group_by takes a positive whole number, got ${JSON.stringify(n)}`);
    return `group by ${Array.from({ length: count }, (_, i) => i + 1).join(',')}`;
  },
};

/** The dbt_utils macros tsdbt has, by dbt_utils' name; templates call them as `{{dbt_utils.NAME ...}}`. */
export const DBT_UTILS_MACROS: ReadonlyMap<string, DbtUtilsMacro> = new Map([
  ['generate_surrogate_key', generateSurrogateKey],
  ['star', star],
  ['date_spine', dateSpine],
  ['pivot', pivot],
  ['unpivot', unpivot],
  ['union_relations', unionRelations],
  ['get_column_values', getColumnValues],
  ['safe_add', safeAdd],
  ['safe_divide', safeDivide],
  ['deduplicate', deduplicate],
  ['group_by', groupBy],
]);

/** Calls a macro with a template's positional and keyword arguments. */
export function callDbtUtilsMacro(name: string, positional: readonly unknown[], keywords: Record<string, unknown>, context: MacroContext): unknown {
  const macro = DBT_UTILS_MACROS.get(name)!;
  return macro.render(bindArguments(`dbt_utils.${name}`, macro.parameters, positional, keywords), context);
}

/** dbt_utils' macros as a TypeScript model calls them: `await dbt_utils.star({from: ref('orders'), except: ['id']})`. */
export type DbtUtilsFunctions = Readonly<Record<string, (...args: unknown[]) => Promise<string>>> & {
  get_column_values(...args: unknown[]): Promise<Array<string | null>>;
};

/**
 * The macros for code: positional arguments in dbt_utils' order, keyword ones in a plain object given last. What they
 * read of the database is read through `read`, as a template's are while compiled.
 */
export function dbtUtilsFunctions(variable: MacroContext['variable'], read: ReadDatabase): DbtUtilsFunctions {
  const answers = new DatabaseAnswers();
  const call = (name: string) => (...args: unknown[]) => {
    const last = args.at(-1);
    const keywords = last !== null && typeof last === 'object' && !Array.isArray(last) ? (args.pop() as Record<string, unknown>) : {};
    return renderReading(answers, (questions) => callDbtUtilsMacro(name, args, keywords, { database: answers.readFor(() => questions), variable }), read, `dbt_utils.${name}`);
  };
  return Object.fromEntries([...DBT_UTILS_MACROS.keys()].map((name) => [name, call(name)])) as unknown as DbtUtilsFunctions;
}
