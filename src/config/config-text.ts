import Handlebars from 'handlebars';
import { templateError } from '../util/template-errors.js';
import { envVar } from './env-var.js';

/** Templates of YAML files: property files may not read secret environment variables, profiles may. */
function configTemplates(allowSecrets: boolean): typeof Handlebars {
  const templates = Handlebars.create();
  templates.registerHelper('env_var', function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } } };
    return envVar(String(args[0]), args[1] === undefined ? undefined : String(args[1]), options.loc?.start, allowSecrets);
  });
  return templates;
}
const propertyTemplates = configTemplates(false);
const profileTemplates = configTemplates(true);

/** Any mustache but an env_var call: escaped, so templates in YAML (a hook's `{{this}}`) reach their users intact. */
const NOT_ENV_VAR = /(?<!\\)\{\{(?!\s*env_var\b)/g;
const ENV_VAR_CALL = /\{\{\s*env_var\b/;

/** Whether a YAML value is rendered when its file is read: only env_var is, other templates when they run. */
export const callsEnvVar = (value: string): boolean => ENV_VAR_CALL.test(value);

/**
 * A whole unquoted YAML value that is a ref or source call (`relation: {{ref "orders"}}`) would read as a YAML flow
 * mapping: it becomes dbt's `ref('orders')`, which YAML reads as text and tsdbt as the same relation. A rewrite of
 * the text before it is parsed.
 */
const RELATION_VALUE = /^(\s*(?:-\s+)?(?:[\w-]+:\s+)?)\{\{\s*(ref|source)\s+([^}]*?)\s*\}\}\s*$/gm;

export function relationValuesAsText(text: string): string {
  return text.replace(RELATION_VALUE, (_match, prefix: string, call: string, args: string) => {
    const names = (args.match(/'[^']*'|"[^"]*"/g) ?? []).map((name) => `'${name.slice(1, -1)}'`);
    return `${prefix}${call}(${names.join(', ')})`;
  });
}

/**
 * Renders one string value of a profile or property file, after YAML has read it (as dbt does):
 * `password: "{{env_var 'PG_PASSWORD'}}"`. Only env_var is rendered; other templates (a post_hook's `{{this}}`) are
 * rendered when they run. Errors are placed in `value` (line and column inside it), named `label`.
 */
export function renderConfigValue(value: string, label: string, { allowSecrets = false }: { allowSecrets?: boolean } = {}): string {
  try {
    return (allowSecrets ? profileTemplates : propertyTemplates).compile(value.replace(NOT_ENV_VAR, '\\{{'), { noEscape: true })({});
  } catch (error) {
    throw templateError(error, label, value);
  }
}
