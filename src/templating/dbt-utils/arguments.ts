import { TsdbtError } from '../../core/errors.js';

/** A macro's parameter as dbt_utils declares it: its name and, when optional, its default. */
export interface Parameter {
  name: string;
  /** Absent: the argument is required. */
  default?: unknown;
}

export const required = (name: string): Parameter => ({ name });
export const optional = (name: string, fallback: unknown): Parameter => ({ name, default: fallback });

/**
 * Binds a call's arguments to a macro's parameters as Jinja does: positional ones in order, then keyword ones by name
 * (a Handlebars hash), then the defaults. Too many, unknown, repeated or missing arguments are compile errors.
 */
export function bindArguments(macro: string, parameters: readonly Parameter[], positional: readonly unknown[], keywords: Record<string, unknown>): Record<string, unknown> {
  const names = parameters.map((parameter) => parameter.name);
  if (positional.length > parameters.length) {
    throw new TsdbtError('compile', `${macro} takes at most ${parameters.length} argument${parameters.length === 1 ? '' : 's'} (${names.join(', ')}), got ${positional.length}`);
  }
  const bound: Record<string, unknown> = {};
  positional.forEach((value, index) => (bound[names[index]!] = value));
  for (const [name, value] of Object.entries(keywords)) {
    if (!names.includes(name)) throw new TsdbtError('compile', `${macro} takes no argument '${name}'`, { hint: `it takes ${names.join(', ')}` });
    if (name in bound) throw new TsdbtError('compile', `${macro} got argument '${name}' twice, by position and by name`);
    bound[name] = value;
  }
  for (const parameter of parameters) {
    if (bound[parameter.name] !== undefined) continue;
    if (!('default' in parameter)) throw new TsdbtError('compile', `${macro} needs the argument '${parameter.name}'`, { hint: `it takes ${names.join(', ')}` });
    bound[parameter.name] = parameter.default;
  }
  return bound;
}

/** A list argument (`(list "a" "b")`), else a compile error naming it. */
export function listArgument(macro: string, name: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw new TsdbtError('compile', `${macro}: '${name}' must be a list, written (list "a" "b"), got ${JSON.stringify(value)}`);
}

/** Jinja's truthiness, for flags passed as `true`/`false` or left at their default. */
export function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}
