import type { ColumnType } from '../../adapters/introspector.js';

/** A column as dbt's PostgreSQL adapter describes it: the type it casts to, and how long a string it holds. */
export interface DbtColumn {
  name: string;
  /** dbt's `Column.data_type`: `text`, `character varying(20)`, `numeric(10,2)`, `timestamp without time zone`. */
  dataType: string;
  /** dbt's `string_size()` for string columns (256 when unbounded), undefined for others. */
  stringSize: number | undefined;
}

const BOUNDED_STRING = /^(?:character varying|character)\((\d+)\)$/;
const UNBOUNDED_STRING = new Set(['text', 'character varying', 'character']);
/** information_schema's data_type, which dbt reads, has no precision but for strings and numeric. */
const PRECISION = /\(\d+\)/g;

/** Converts PostgreSQL's `format_type` spelling into dbt's: `character(5)` is `character varying(5)`, `time(3)` is `time`. */
export function dbtColumn(column: ColumnType): DbtColumn {
  const { name, type } = column;
  const bounded = BOUNDED_STRING.exec(type);
  if (bounded) return { name, dataType: `character varying(${bounded[1]})`, stringSize: Number(bounded[1]) };
  if (UNBOUNDED_STRING.has(type)) return { name, dataType: type === 'character' ? 'character varying(256)' : type, stringSize: 256 };
  if (type.startsWith('numeric')) return { name, dataType: type, stringSize: undefined };
  return { name, dataType: type.replace(PRECISION, ''), stringSize: undefined };
}
