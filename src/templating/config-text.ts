import Handlebars from 'handlebars';
import { templateError } from './template-errors.js';
import { envVar } from './env-var.js';

const configTemplates = Handlebars.create();
configTemplates.registerHelper('env_var', function (this: unknown, ...args: unknown[]) {
  const options = args.pop() as Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } } };
  return envVar(String(args[0]), args[1] === undefined ? undefined : String(args[1]), options.loc?.start);
});

/** Any mustache but an env_var call: escaped, so templates in YAML (hooks, a snapshot's `{{ref "x"}}`) reach their users intact. */
const NOT_ENV_VAR = /(?<!\\)\{\{(?!\s*env_var\b)/g;

/**
 * Profiles and property files may read the environment: `password: "{{env_var 'PG_PASSWORD'}}"`. Only env_var is
 * rendered when the file is read; other templates (a post_hook's `{{this}}`) are rendered when they run, as in dbt.
 */
export function renderConfigText(text: string, file: string): string {
  if (!text.includes('{{')) return text;
  try {
    return configTemplates.compile(text.replace(NOT_ENV_VAR, '\\{{'), { noEscape: true })({});
  } catch (error) {
    throw templateError(error, file, text);
  }
}
