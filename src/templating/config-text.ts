import Handlebars from 'handlebars';
import { templateError } from './template-errors.js';
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

/**
 * A whole unquoted YAML value that is a ref or source call (`relation: {{ref "orders"}}`) would read as a YAML flow
 * mapping: it becomes dbt's `ref('orders')`, which YAML reads as text and tsdbt as the same relation.
 */
const RELATION_VALUE = /^(\s*(?:-\s+)?(?:[\w-]+:\s+)?)\{\{\s*(ref|source)\s+([^}]*?)\s*\}\}\s*$/gm;

function relationValuesAsText(text: string): string {
  return text.replace(RELATION_VALUE, (_match, prefix: string, call: string, args: string) => {
    const names = (args.match(/'[^']*'|"[^"]*"/g) ?? []).map((name) => `'${name.slice(1, -1)}'`);
    return `${prefix}${call}(${names.join(', ')})`;
  });
}

/**
 * Profiles and property files may read the environment: `password: "{{env_var 'PG_PASSWORD'}}"`. Only env_var is
 * rendered when the file is read; other templates (a post_hook's `{{this}}`) are rendered when they run, as in dbt.
 */
export function renderConfigText(text: string, file: string, { allowSecrets = false }: { allowSecrets?: boolean } = {}): string {
  if (!text.includes('{{')) return text;
  try {
    return (allowSecrets ? profileTemplates : propertyTemplates).compile(relationValuesAsText(text).replace(NOT_ENV_VAR, '\\{{'), { noEscape: true })({});
  } catch (error) {
    throw templateError(error, file, text);
  }
}
