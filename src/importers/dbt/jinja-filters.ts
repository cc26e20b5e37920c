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
  // Not a filter: Jinja's `~` operator, which joins its operands as text.
  concat: 'export function jinja_concat(left: unknown, right: unknown): string {\n  return text(left) + text(right);\n}',
};

/** Filters that have a helper; a filter of the same name whose value is known when importing is applied then. */
export const RUNTIME_FILTERS = new Set(Object.keys(FILTER_SOURCES).filter((name) => name !== 'concat'));
/** The helper of Jinja's `~`. */
export const CONCAT_HELPER = 'concat';

export function filterHelperName(filter: string): string {
  return `jinja_${filter}`;
}

/** The source of `macros/jinja_filters.ts` holding the helpers of `filters`. */
export function filterHelpersSource(filters: Iterable<string>): string {
  const used = [...new Set(filters)].sort();
  return [
    '// Written by `tsdbt import dbt`: the Jinja filters the imported templates apply to values known only when rendering.',
    '// Arguments a template does not pass are undefined; Handlebars adds its options object last.',
    '',
    "function text(value: unknown): string {\n  return value === undefined || value === null ? '' : String(value);\n}",
    ...used.map((filter) => FILTER_SOURCES[filter]!),
    '',
  ].join('\n\n');
}
