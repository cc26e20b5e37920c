import Handlebars from 'handlebars';
import { templateError } from './template-errors.js';
import { envVar } from './env-var.js';

const configTemplates = Handlebars.create();
configTemplates.registerHelper('env_var', function (this: unknown, ...args: unknown[]) {
  const options = args.pop() as Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } } };
  return envVar(String(args[0]), args[1] === undefined ? undefined : String(args[1]), options.loc?.start);
});

// A property file may name a YAML snapshot's relation either way: `{{ref "orders"}}` becomes dbt's `ref('orders')`.
for (const helper of ['ref', 'source']) {
  configTemplates.registerHelper(helper, (...args: unknown[]) => `${helper}(${args.slice(0, -1).map((arg) => `'${String(arg)}'`).join(', ')})`);
}

/** Profiles and other YAML files may read the environment: `password: "{{env_var 'PG_PASSWORD'}}"`. */
export function renderConfigText(text: string, file: string): string {
  if (!text.includes('{{')) return text;
  try {
    return configTemplates.compile(text, { noEscape: true })({});
  } catch (error) {
    throw templateError(error, file, text);
  }
}
