import { quoteIdentifier } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import { slugify } from '../templating/dbt-utils/macros.js';
import { CURRENT_TIMESTAMP, dateadd, NUMERIC_TYPE, TIMESTAMP_TYPE } from '../templating/dbt-utils/dates.js';
import type { GenericTest, GenericTestCall } from './generic-tests.js';

/**
 * dbt_utils' generic tests, rendering the SQL dbt_utils 1.x renders on PostgreSQL. Their columns and expressions are
 * written into the SQL as they are in the property file (`column_name` unquoted), as dbt does.
 */

/** A YAML value as Jinja writes it into SQL: Python's str(). */
function py(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return String(value);
}

function names(test: string, argument: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TsdbtError('config', `dbt_utils.${test}: '${argument}' must be a list`);
  return value.map(py);
}

/** Jinja's truthiness of a flag left at its default or given in YAML. */
const flag = (value: unknown, fallback: boolean) => (value === undefined ? fallback : Boolean(value) && value !== 'false');

/** `select_gb_cols` and `groupby_gb_cols` as dbt_utils' tests build them from `group_by_columns`. */
function grouping(test: string, args: Record<string, unknown>, separator = ' ,') {
  const columns = names(test, 'group_by_columns', args.group_by_columns);
  return {
    columns,
    select: columns.length > 0 ? `${columns.join(separator)}, ` : '',
    groupBy: columns.length > 0 ? `group by ${columns.join(',')}` : '',
  };
}

function test(name: string, needsColumn: boolean | undefined, required: string[], optional: string[], render: (call: GenericTestCall) => string, failCalc?: string): GenericTest {
  return { name, needsColumn, required, optional, render, failCalc };
}

const column = (call: GenericTestCall) => call.columnName!;

const DBT_UTILS_TESTS: GenericTest[] = [
  test('expression_is_true', undefined, ['expression'], [], (call) => `select
    ${call.storeFailures ? '*' : '1'}
from ${call.model}
where not(${call.columnName === undefined ? '' : `${call.columnName} `}${py(call.args.expression)})`),

  test('unique_combination_of_columns', false, ['combination_of_columns'], ['quote_columns'], ({ model, args }) => {
    const columns = names('unique_combination_of_columns', 'combination_of_columns', args.combination_of_columns);
    const csv = (flag(args.quote_columns, false) ? columns.map(quoteIdentifier) : columns).join(', ');
    return `with validation_errors as (
    select
        ${csv}
    from ${model}
    group by ${csv}
    having count(*) > 1
)
select *
from validation_errors`;
  }),

  test('accepted_range', true, [], ['min_value', 'max_value', 'inclusive'], (call) => {
    const { args } = call;
    const equal = flag(args.inclusive, true) ? '=' : '';
    const bound = (value: unknown, operator: string, comment: string) =>
      value === undefined || value === null ? '' : `\n    -- ${comment}\n    or not ${column(call)} ${operator}${equal} ${py(value)}`;
    return `with meet_condition as(
  select *
  from ${call.model}
),
validation_errors as (
  select *
  from meet_condition
  where
    -- never true, defaults to an empty result set. Exists to ensure any combo of the \`or\` clauses below succeeds
    1 = 2${bound(args.min_value, '>', "records with a value >= min_value are permitted. The `not` flips this to find records that don't meet the rule.")}${bound(args.max_value, '<', "records with a value <= max_value are permitted. The `not` flips this to find records that don't meet the rule.")}
)
select *
from validation_errors`;
  }),

  test('not_null_proportion', true, ['at_least'], ['at_most', 'group_by_columns'], (call) => {
    const { select, groupBy } = grouping('not_null_proportion', call.args);
    return `with validation as (
  select
    ${select}
    sum(case when ${column(call)} is null then 0 else 1 end) / cast(count(*) as ${NUMERIC_TYPE}) as not_null_proportion
  from ${call.model}
  ${groupBy}
),
validation_errors as (
  select
    ${select}
    not_null_proportion
  from validation
  where not_null_proportion < ${py(call.args.at_least)} or not_null_proportion > ${py(call.args.at_most ?? 1)}
)
select
  *
from validation_errors`;
  }),

  test('at_least_one', true, [], ['group_by_columns'], (call) => {
    const { columns, select, groupBy } = grouping('at_least_one', call.args);
    const pruned = columns.length > 0 ? (columns.includes(column(call)) ? columns : [...columns, column(call)]) : [column(call)];
    return `select *
from (
    with pruned_rows as (
      select
        ${pruned.join(' ,')}
      from ${call.model}
      ${columns.length === 0 ? `where ${column(call)} is not null\n        limit 1` : ''}
    )
    select
      ${select}
      count(${column(call)}) as filler_column
    from pruned_rows
    ${groupBy}
    having count(${column(call)}) = 0
) validation_errors`;
  }),

  test('not_constant', true, [], ['group_by_columns'], (call) => {
    const { select, groupBy } = grouping('not_constant', call.args);
    return `select
    ${select}
    count(distinct ${column(call)}) as filler_column
from ${call.model}
  ${groupBy}
having count(distinct ${column(call)}) = 1`;
  }),

  test(
    'equal_rowcount',
    false,
    ['compare_model'],
    ['group_by_columns'],
    ({ model, args, relation }) => {
      const grouped = names('equal_rowcount', 'group_by_columns', args.group_by_columns);
      const select = grouped.length > 0 ? `${grouped.join(', ')}, ` : '';
      const join = grouped.map((c) => `and a.${c} = b.${c}`).join('\n      ');
      const keys = ['id_dbtutils_test_equal_rowcount', ...grouped];
      const groupBy = `group by ${keys.join(',')}`;
      return `with a as (
    select
      ${select}
      1 as id_dbtutils_test_equal_rowcount,
      count(*) as count_a
    from ${model}
    ${groupBy}
),
b as (
    select
      ${select}
      1 as id_dbtutils_test_equal_rowcount,
      count(*) as count_b
    from ${relation(py(args.compare_model), 'compare_model')}
    ${groupBy}
),
final as (
    select
        ${keys.map((c) => `a.${c} as ${c}_a,\n          b.${c} as ${c}_b,`).join('\n        ')}
        count_a,
        count_b,
        abs(count_a - count_b) as diff_count
    from a
    full join b
    on
    a.id_dbtutils_test_equal_rowcount = b.id_dbtutils_test_equal_rowcount
    ${join}
)
select * from final`;
    },
    // As dbt_utils configures it: the test fails by the rows' difference, not their number.
    'sum(coalesce(diff_count, 0))',
  ),

  test('relationships_where', true, ['to', 'field'], ['from_condition', 'to_condition'], (call) => {
    const field = py(call.args.field);
    return `with left_table as (
  select
    ${column(call)} as id
  from ${call.model}
  where ${column(call)} is not null
    and ${py(call.args.from_condition ?? '1=1')}
),
right_table as (
  select
    ${field} as id
  from ${call.relation(py(call.args.to), 'to')}
  where ${field} is not null
    and ${py(call.args.to_condition ?? '1=1')}
),
exceptions as (
  select
    left_table.id,
    right_table.id as right_id
  from left_table
  left join right_table
         on left_table.id = right_table.id
  where right_table.id is null
)
select * from exceptions`;
  }),

  test('sequential_values', true, [], ['interval', 'datepart', 'group_by_columns'], (call) => {
    const name = column(call);
    const previous = `previous_${slugify(name)}`;
    const grouped = names('sequential_values', 'group_by_columns', call.args.group_by_columns);
    const interval = call.args.interval ?? 1;
    const datepart = call.args.datepart;
    const condition = datepart
      ? `not(cast(${name} as ${TIMESTAMP_TYPE})= cast(${dateadd(py(datepart), py(interval), previous)} as ${TIMESTAMP_TYPE}))`
      : `not(${name} = ${previous} + ${py(interval)})`;
    return `with windowed as (
    select
        ${grouped.length > 0 ? `${grouped.join(',')}, ` : ''}
        ${name},
        lag(${name}) over (
            ${grouped.length > 0 ? `partition by ${grouped.join(',')}` : ''}
            order by ${name}
        ) as ${previous}
    from ${call.model}
),
validation_errors as (
    select
        *
    from windowed
    where ${condition}
)
select *
from validation_errors`;
  }),

  test('mutually_exclusive_ranges', false, ['lower_bound_column', 'upper_bound_column'], ['partition_by', 'gaps', 'zero_length_range_allowed'], ({ model, args }) => {
    const gaps = py(args.gaps ?? 'allowed');
    const gapOperators: Record<string, [string, string]> = { not_allowed: ['=', 'equal_to'], allowed: ['<=', 'less_than_or_equal_to'], required: ['<', 'less_than'] };
    const gap = gapOperators[gaps];
    if (!gap) throw new TsdbtError('config', `\`gaps\` argument for mutually_exclusive_ranges test must be one of ['not_allowed', 'allowed', 'required'] Got: '${gaps}'.'`);
    const zero: [string, string] = flag(args.zero_length_range_allowed, false) ? ['<=', 'less_than_or_equal_to'] : ['<', 'less_than'];
    const lower = py(args.lower_bound_column);
    const upper = py(args.upper_bound_column);
    const partition = args.partition_by ? `partition by ${py(args.partition_by)}` : '';
    return `with window_functions as (
    select
        ${args.partition_by ? `${py(args.partition_by)} as partition_by_col,` : ''}
        ${lower} as lower_bound,
        ${upper} as upper_bound,
        lead(${lower}) over (
            ${partition}
            order by ${lower}, ${upper}
        ) as next_lower_bound,
        row_number() over (
            ${partition}
            order by ${lower} desc, ${upper} desc
        ) = 1 as is_last_record
    from ${model}
),
calc as (
    -- We want to return records where one of our assumptions fails, so we'll use
    -- the \`not\` function with \`and\` statements so we can write our assumptions more cleanly
    select
        *,
        -- For each record: lower_bound should be < upper_bound.
        -- Coalesce it to return an error on the null case (implicit assumption
        -- these columns are not_null)
        coalesce(
            lower_bound ${zero[0]} upper_bound,
            false
        ) as lower_bound_${zero[1]}_upper_bound,
        -- For each record: upper_bound ${gap[0]} the next lower_bound.
        -- Coalesce it to handle null cases for the last record.
        coalesce(
            upper_bound ${gap[0]} next_lower_bound,
            is_last_record,
            false
        ) as upper_bound_${gap[1]}_next_lower_bound
    from window_functions
),
validation_errors as (
    select
        *
    from calc
    where not(
        -- THE FOLLOWING SHOULD BE TRUE --
        lower_bound_${zero[1]}_upper_bound
        and upper_bound_${gap[1]}_next_lower_bound
    )
)
select * from validation_errors`;
  }),

  test('cardinality_equality', true, ['to', 'field'], [], (call) => {
    const field = py(call.args.field);
    return `with table_a as (
select
  ${column(call)},
  count(*) as num_rows
from ${call.model}
group by ${column(call)}
),
table_b as (
select
  ${field},
  count(*) as num_rows
from ${call.relation(py(call.args.to), 'to')}
group by ${field}
),
except_a as (
  select *
  from table_a
  except
  select *
  from table_b
),
except_b as (
  select *
  from table_b
  except
  select *
  from table_a
),
unioned as (
  select *
  from except_a
  union all
  select *
  from except_b
)
select *
from unioned`;
  }),

  test('not_accepted_values', true, ['values'], ['quote'], (call) => {
    const values = names('not_accepted_values', 'values', call.args.values);
    const quote = flag(call.args.quote, true);
    return `with all_values as (
    select distinct
        ${column(call)} as value_field
    from ${call.model}
),
validation_errors as (
    select
        value_field
    from all_values
    where value_field in (
        ${values.map((value) => (quote ? `'${value}'` : value)).join(',\n        ')}
        )
)
select *
from validation_errors`;
  }),

  test('recency', false, ['datepart', 'field', 'interval'], ['ignore_time_component', 'group_by_columns'], ({ model, args }) => {
    const ignoreTime = flag(args.ignore_time_component, false);
    const interval = Number(args.interval);
    if (!Number.isFinite(interval)) throw new TsdbtError('config', `recency: interval must be a number, got '${py(args.interval)}'`);
    const threshold = `cast(${dateadd(py(args.datepart), String(-interval), CURRENT_TIMESTAMP)} as ${ignoreTime ? 'date' : TIMESTAMP_TYPE})`;
    const { select, groupBy } = grouping('recency', args);
    const field = py(args.field);
    return `with recency as (
    select
      ${select}
      ${ignoreTime ? `cast(max(${field}) as date) as most_recent` : `max(${field}) as most_recent`}
    from ${model}
    ${groupBy}
)
select
    ${select}
    most_recent,
    ${threshold} as threshold
from recency
where most_recent < ${threshold}
   or most_recent is null`;
  }),
];

/** By dbt_utils' name: a property file writes them `dbt_utils.<name>`, or without the prefix. */
export const DBT_UTILS_GENERIC_TESTS: ReadonlyMap<string, GenericTest> = new Map(DBT_UTILS_TESTS.map((generic) => [generic.name, generic]));
