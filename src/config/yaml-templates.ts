import { TsdbtError } from '../core/errors.js';
import { callsEnvVar, renderConfigValue } from './config-text.js';
import type { YamlFile } from './yaml-file.js';

export interface YamlTemplateOptions {
  /** profiles.yml may read secret environment variables (TSDBT_ENV_SECRET_*); other files may not. */
  allowSecrets?: boolean;
}

/**
 * Renders, in place, every string under `keyPath` of a parsed YAML file that calls env_var: YAML first, then each value,
 * as dbt does, so quotes and escapes are YAML's business and never the template's. A template error names the file,
 * the line and column in it, and the key path.
 */
export function renderYamlTemplates<T>(file: YamlFile, keyPath: PropertyKey[], value: T, options: YamlTemplateOptions = {}): T {
  if (typeof value === 'string') return (callsEnvVar(value) ? renderValue(file, keyPath, value, options) : value) as T;
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => (value[index] = renderYamlTemplates(file, [...keyPath, index], item, options)));
  } else if (value !== null && typeof value === 'object') {
    const mapping = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(mapping)) mapping[key] = renderYamlTemplates(file, [...keyPath, key], item, options);
  }
  return value;
}

function renderValue(file: YamlFile, keyPath: PropertyKey[], value: string, options: YamlTemplateOptions): string {
  try {
    return renderConfigValue(value, file.path, options);
  } catch (error) {
    // Placed inside the value; moved to where the value is written, with its key path.
    const inValue = error as TsdbtError;
    throw new TsdbtError(inValue.kind, `${keyPath.map(String).join('.')}: ${inValue.message}`, {
      location: file.locateInValue(keyPath, inValue.location ?? {}),
      hint: inValue.hint,
      source: file.text,
      cause: inValue.cause ?? inValue,
    });
  }
}
