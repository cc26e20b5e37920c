import { createHash } from 'node:crypto';
import type { VirtualEnvironmentSettings } from '../config/project.js';
import type { Relation } from '../core/nodes.js';

/** The schema of `env`'s view of a node whose own schema is `schema`: the default environment's views are in the node's own. */
export function environmentSchema(settings: VirtualEnvironmentSettings, schema: string, env: string): string {
  return env === settings.defaultEnvironment ? schema : settings.environmentSchema.replaceAll('{schema}', schema).replaceAll('{env}', env);
}

/**
 * The physical table of a node's version: `<schema>__<name>__<fingerprint>` in the physical schema. A name longer than
 * the engine allows keeps its fingerprint (what makes it unique) and a hash of the part cut off.
 */
export function physicalRelation(settings: VirtualEnvironmentSettings, logical: Relation, tableFingerprint: string, maxIdentifierLength: number): Relation {
  const stem = `${logical.schema}__${logical.identifier}`;
  const suffix = `__${tableFingerprint}`;
  if (stem.length + suffix.length <= maxIdentifierLength) return { schema: settings.physicalSchema, identifier: `${stem}${suffix}` };
  const stemHash = createHash('sha256').update(stem).digest('hex').slice(0, 6);
  const kept = stem.slice(0, maxIdentifierLength - suffix.length - stemHash.length - 1);
  return { schema: settings.physicalSchema, identifier: `${kept}_${stemHash}${suffix}` };
}

const ENVIRONMENT_NAME = '([a-z_][a-z0-9_]*)';

/**
 * The inverse of environmentSchema for a non-default environment: a pattern matching the schemas of any environment's
 * views of nodes in `schema`, the environment's name its first group.
 */
export function environmentSchemaPattern(settings: VirtualEnvironmentSettings, schema: string): RegExp {
  const parts = settings.environmentSchema.split('{env}').map((part) => part.replaceAll('{schema}', schema).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts[0]}${ENVIRONMENT_NAME}${parts.slice(1).join('\\1')}$`);
}
