import { TsdbtError } from '../core/errors.js';
import type { SourceLocation } from '../core/nodes.js';

/** `{{var "name" "default"}}`: --vars over the project's vars over the default; no value at all is an error at the call. */
export function resolveVariable(vars: Record<string, unknown>, name: string, fallback: unknown, loc: SourceLocation): unknown {
  if (Object.hasOwn(vars, name)) return vars[name];
  if (fallback !== undefined) return fallback;
  throw new TsdbtError('compile', `var '${name}' is not set`, {
    location: { file: '', line: loc.line, column: loc.column },
    hint: `set it under vars: in tsdbt_project.yml, pass --vars '{${name}: value}', or give a default: {{var "${name}" "default"}}`,
  });
}
