import type { Adapter } from '../adapters/adapter.js';
import type { VirtualEnvironmentSettings } from '../config/project.js';
import { TsdbtError } from '../core/errors.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import type { LockSchemas } from '../environments/housekeeping.js';
import type { Reporter } from '../core/reporter.js';
import type { Session } from './session.js';

/** The project's virtual environment settings, or a usage error saying how to opt in. */
export function virtualEnvironmentsOf(session: Session, command: string): VirtualEnvironmentSettings {
  const { project } = session.loaded;
  if (project.virtualEnvironments) return project.virtualEnvironments;
  throw new TsdbtError('usage', `tsdbt ${command} works on virtual environments, and this project has none`, {
    location: { file: project.file.path },
    hint: 'add `virtual_environments: true` to tsdbt_project.yml (src/environments/README.md has its settings)',
  });
}

/** The schemas of the project's models, seeds and snapshots. */
export function projectSchemas(session: Session): string[] {
  const schemas = [...session.loaded.graph.nodes.values()].flatMap((node) => (RESOURCE_KINDS[node.resourceType].referable && 'relation' in node ? [node.relation.schema] : []));
  return [...new Set(schemas)].sort();
}

/** tsdbt's writer lock (the runner's lockTarget) on the schemas it is given, waiting up to --lock-timeout seconds. */
export async function writerLock(adapter: Adapter, command: string, lockTimeout: number, reporter: Reporter): Promise<LockSchemas> {
  const { lockTarget } = await import('../runner/target-lock.js');
  return (schemas) =>
    lockTarget(adapter, schemas, { command, timeoutMs: Math.max(0, lockTimeout) * 1000, onWait: (holder) => reporter.info(`Waiting up to ${lockTimeout} s for another tsdbt writing to this target: ${holder}`) });
}
