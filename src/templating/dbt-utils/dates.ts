import { TsdbtError } from '../../core/errors.js';

/** dbt's type_string(), type_timestamp(), type_numeric() and current_timestamp() on PostgreSQL. */
export const STRING_TYPE = 'TEXT';
export const TIMESTAMP_TYPE = 'timestamp';
export const NUMERIC_TYPE = 'numeric(28,6)';
export const CURRENT_TIMESTAMP = 'now()';

/** dbt's dateadd on PostgreSQL. */
export function dateadd(datepart: string, interval: string | number, from: string): string {
  return `${from} + ((interval '1 ${datepart}') * (${interval}))`;
}

/**
 * dbt's datediff on PostgreSQL, and whether its value is a float (date_part's double precision), which dbt writes
 * with a `.0` when it writes the number into SQL.
 */
export function datediff(first: string, second: string, datepart: string): { sql: string; isFloat: boolean } {
  const part = (unit: string, cast: 'date' | 'timestamp', date: string) => `date_part('${unit}', (${date})::${cast})`;
  const diff = (unit: string, cast: 'date' | 'timestamp') => `${part(unit, cast, second)} - ${part(unit, cast, first)}`;
  const floored = (unit: string) => `floor(${part(unit, 'timestamp', second)}) - floor(${part(unit, 'timestamp', first)})`;
  const sql = (unit: string): string => {
    switch (unit) {
      case 'year':
        return `(${diff('year', 'date')})`;
      case 'quarter':
        return `(${sql('year')} * 4 + ${diff('quarter', 'date')})`;
      case 'month':
        return `(${sql('year')} * 12 + ${diff('month', 'date')})`;
      case 'day':
        return `((${second})::date - (${first})::date)`;
      case 'week':
        return `(${sql('day')} / 7 + case
            when date_part('dow', (${first})::timestamp) <= date_part('dow', (${second})::timestamp) then
                case when ${first} <= ${second} then 0 else -1 end
            else
                case when ${first} <= ${second} then 1 else 0 end
        end)`;
      case 'hour':
        return `(${sql('day')} * 24 + ${diff('hour', 'timestamp')})`;
      case 'minute':
        return `(${sql('hour')} * 60 + ${diff('minute', 'timestamp')})`;
      case 'second':
        return `(${sql('minute')} * 60 + ${floored('second')})`;
      case 'millisecond':
        return `(${sql('minute')} * 60000 + ${floored('millisecond')})`;
      case 'microsecond':
        return `(${sql('minute')} * 60000000 + ${floored('microsecond')})`;
      default:
        throw new TsdbtError('compile', `Unsupported datepart for macro datediff in postgres: '${unit}'`);
    }
  };
  return { sql: sql(datepart), isFloat: datepart !== 'day' && datepart !== 'week' };
}
