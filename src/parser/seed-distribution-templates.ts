import Handlebars from 'handlebars';
import { TsdbtError } from '../core/errors.js';
import type { YamlFile } from '../config/yaml-file.js';
import { LOGIC_HELPERS } from '../templating/environment.js';
import type { TargetScope } from '../templating/render-hooks.js';
import { resolveVariable } from '../templating/variables.js';

/** The config keys that say where a table lives: the ones a seed may set for one target and not another. */
const DISTRIBUTION_KEYS = ['distribution', 'distribution_column', 'colocate_with'] as const;

const templates = Handlebars.create();
templates.registerHelper(LOGIC_HELPERS);

export interface PropertyTemplateScope {
  target: TargetScope;
  vars: Record<string, unknown>;
}

/**
 * A seed has no SQL file whose `{{#if}}` could hold a `{{config}}`, so its distribution configs in a property file are
 * rendered with `target` and `var` before they are checked: `distribution: "{{#if (eq target.type 'citus')}}reference{{/if}}"`.
 * A value that renders empty is not set, so other targets see no distribution at all. Other keys (hooks, which
 * render `{{this}}` when they run) are left as written.
 */
export function renderSeedDistribution(config: unknown, scope: PropertyTemplateScope, file: YamlFile, at: Array<string | number>): unknown {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return config;
  const rendered: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const key of DISTRIBUTION_KEYS) {
    const value = rendered[key];
    if (typeof value !== 'string' || !value.includes('{{')) continue;
    const text = render(value, scope, file, [...at, key]).trim();
    if (text === '') delete rendered[key];
    else rendered[key] = text;
  }
  return rendered;
}

function render(value: string, { target, vars }: PropertyTemplateScope, file: YamlFile, keyPath: Array<string | number>): string {
  // The models' rule (resolveVariable), its error placed at the key that reads the var.
  const variable = (name: unknown, ...rest: unknown[]): unknown => {
    try {
      return resolveVariable(vars, String(name), rest.length > 1 ? rest[0] : undefined, { line: 1, column: 1 });
    } catch (error) {
      const unset = error as TsdbtError;
      throw new TsdbtError('config', `${keyPath.join('.')}: ${unset.message}`, { location: file.locate(keyPath, true), hint: unset.hint });
    }
  };
  try {
    return templates.compile(value, { noEscape: true, strict: false })({ target }, { helpers: { var: variable } });
  } catch (error) {
    if (error instanceof TsdbtError) throw error;
    throw new TsdbtError('config', `${keyPath.join('.')}: '${value}' is not a valid template (${(error as Error).message.split('\n')[0]})`, {
      location: file.locate(keyPath, true),
      hint: `write a condition as "{{#if (eq target.type 'citus')}}user_id{{/if}}"`,
    });
  }
}
