import type { TemplateEnvironment } from '../templating/environment.js';
import type { TargetScope } from '../templating/render-hooks.js';

/** The project's generate_schema_name macro if it has one, else dbt's rule. */
export function schemaName(env: TemplateEnvironment, target: TargetScope, custom: string | undefined, node: { name: string; resource_type: string }): string {
  return env.generateSchemaName(custom, node, target) ?? defaultSchemaName(target.schema, custom);
}

/** dbt's rule: a custom schema is appended to the target's, so developers sharing a database never collide. */
export function defaultSchemaName(targetSchema: string, custom: string | undefined): string {
  return custom ? `${targetSchema}_${custom.trim()}` : targetSchema;
}
