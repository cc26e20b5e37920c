/**
 * Jinja filters applied to values known only when rendering (`{{ custom_schema_name | trim }}`) become TypeScript
 * helpers of the imported project, `{{jinja_trim custom_schema_name}}`, written to `macros/jinja_filters.ts` with
 * only the filters its templates use. Each does what Jinja's filter of that name does.
 */
const FILTER_SOURCES: Record<string, string> = {
  upper: 'export function jinja_upper(value: unknown): string {\n  return text(value).toUpperCase();\n}',
  lower: 'export function jinja_lower(value: unknown): string {\n  return text(value).toLowerCase();\n}',
  trim: 'export function jinja_trim(value: unknown): string {\n  return text(value).trim();\n}',
  replace:
    'export function jinja_replace(value: unknown, from: unknown, to: unknown): string {\n  return text(value).split(text(from)).join(text(to));\n}',
  default:
    'export function jinja_default(value: unknown, fallback: unknown): unknown {\n  return value === undefined || value === null ? fallback : value;\n}',
  join: "export function jinja_join(value: unknown, separator: unknown): string {\n  return Array.isArray(value) ? value.map(text).join(typeof separator === 'string' ? separator : '') : text(value);\n}",
  length: 'export function jinja_length(value: unknown): number {\n  return Array.isArray(value) || typeof value === \'string\' ? value.length : 0;\n}',
  string: 'export function jinja_string(value: unknown): string {\n  return text(value);\n}',
  int: 'export function jinja_int(value: unknown): number {\n  return Math.trunc(Number(value)) || 0;\n}',
  float: 'export function jinja_float(value: unknown): number {\n  return Number(value) || 0;\n}',
};

/** Jinja's operators that Handlebars has no helper for, on values known only when rendering: `(jinja_lt a b)`. */
const OPERATOR_SOURCES: Record<string, [string, string]> = {
  '~': ['concat', 'export function jinja_concat(left: unknown, right: unknown): string {\n  return text(left) + text(right);\n}'],
  '<': ['lt', 'export function jinja_lt(left: any, right: any): boolean {\n  return left < right;\n}'],
  '>': ['gt', 'export function jinja_gt(left: any, right: any): boolean {\n  return left > right;\n}'],
  '<=': ['le', 'export function jinja_le(left: any, right: any): boolean {\n  return left <= right;\n}'],
  '>=': ['ge', 'export function jinja_ge(left: any, right: any): boolean {\n  return left >= right;\n}'],
  in: [
    'in',
    "export function jinja_in(item: unknown, container: unknown): boolean {\n  if (Array.isArray(container)) return container.some((x) => JSON.stringify(x) === JSON.stringify(item));\n  if (typeof container === 'string') return container.includes(text(item));\n  return container !== null && typeof container === 'object' && text(item) in container;\n}",
  ],
  '+': ['add', "export function jinja_add(left: any, right: any): unknown {\n  return Array.isArray(left) ? [...left, ...right] : left + right;\n}"],
  '-': ['subtract', 'export function jinja_subtract(left: any, right: any): number {\n  return left - right;\n}'],
  '*': ['multiply', 'export function jinja_multiply(left: any, right: any): number {\n  return left * right;\n}'],
  '/': ['divide', 'export function jinja_divide(left: any, right: any): number {\n  return left / right;\n}'],
  '//': ['floordiv', 'export function jinja_floordiv(left: any, right: any): number {\n  return Math.floor(left / right);\n}'],
  '%': ['modulo', 'export function jinja_modulo(left: any, right: any): number {\n  return left % right;\n}'],
};
const HELPER_SOURCES: Record<string, string> = { ...FILTER_SOURCES, ...Object.fromEntries(Object.values(OPERATOR_SOURCES)) };

/** Filters that have a helper; a filter of the same name whose value is known when importing is applied then. */
export const RUNTIME_FILTERS = new Set(Object.keys(FILTER_SOURCES));

/** The helper (its name without `jinja_`) of a binary operator, if it has one. */
export function operatorHelper(op: string): string | undefined {
  return OPERATOR_SOURCES[op]?.[0];
}

export function filterHelperName(filter: string): string {
  return `jinja_${filter}`;
}

/** The source of `macros/jinja_filters.ts` holding the helpers of the filters and operators `used`. */
export function filterHelpersSource(helpers: Iterable<string>): string {
  const used = [...new Set(helpers)].sort();
  return [
    '// Written by `tsdbt import dbt`: the Jinja filters and operators the imported templates apply to values known only',
    '// when rendering.',
    '// Arguments a template does not pass are undefined; Handlebars adds its options object last.',
    '',
    "function text(value: unknown): string {\n  return value === undefined || value === null ? '' : String(value);\n}",
    ...used.map((helper) => HELPER_SOURCES[helper]!),
    '',
  ].join('\n\n');
}
