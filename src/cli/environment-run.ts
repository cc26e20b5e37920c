import type { Adapter } from '../adapters/adapter.js';
import type { VirtualEnvironmentSettings } from '../config/project.js';
import { TsdbtError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { RunSummary } from '../core/results.js';
import { carrySnapshotHistory, environmentProject, environmentRelation, physicalProject, promote, recordVersions } from '../environments/apply.js';
import { computeEnvironmentPlan, type EnvironmentPlan } from '../environments/compute-plan.js';
import { isVersioned } from '../environments/fingerprint.js';
import { planChanges, type Plan } from '../environments/plan.js';
import { readEnvironmentVersions, type EnvironmentVersion } from '../environments/state.js';
import type { LoadedProject } from '../parser/load-project.js';
import { PROJECT_FILE } from '../config/project.js';
import type { BuildArgs } from './options.js';
import { saveManifest, type Session } from './session.js';

/** A command run against a virtual environment. */
export interface VirtualRun {
  settings: VirtualEnvironmentSettings;
  environment: string;
}

/** The environment a command runs against, or undefined for a project without virtual environments (--env is then refused). */
export function virtualRunOf(session: Session, args: Pick<BuildArgs, 'env' | 'defer' | 'favorState'>): VirtualRun | undefined {
  const settings = session.loaded.project.virtualEnvironments;
  if (!settings) {
    if (args.env !== undefined) {
      throw new TsdbtError('usage', `--env ${args.env}: this project has no virtual environments`, { hint: `add \`virtual_environments: true\` to ${PROJECT_FILE}` });
    }
    return undefined;
  }
  if (args.defer || args.favorState) {
    throw new TsdbtError('usage', '--defer and --favor-state are for projects without virtual environments', { hint: 'an environment reads the versions it points at: plan it with `tsdbt plan --env NAME`' });
  }
  const environment = args.env ?? settings.defaultEnvironment;
  if (!/^[a-z_][a-z0-9_]*$/.test(environment)) throw new TsdbtError('usage', `--env ${environment}: an environment name is lower-case letters, digits and underscores`);
  return { settings, environment };
}

/**
 * Has the command's artifacts name the environment: manifest.json's nodes by the environment's views (`project`),
 * with the fingerprints of the versions they show (`fingerprints`, by unique id), and its metadata's `environment`.
 */
export function recordEnvironment(session: Session, virtual: VirtualRun, project: LoadedProject, fingerprints: ReadonlyMap<string, string>): void {
  session.metadata.environment = virtual.environment;
  session.environment = { project, fingerprints };
}

/**
 * For a command that reads an environment without planning it (`test`, `docs generate`): the project named by the
 * environment's views and the version each view shows, recorded for the command's artifacts.
 */
export async function readEnvironment(session: Session, adapter: Adapter, virtual: VirtualRun): Promise<{ project: LoadedProject; versions: Map<string, EnvironmentVersion> }> {
  const project = environmentProject(session.loaded, virtual.settings, virtual.environment);
  const versions = await adapter.withConnection((connection) => readEnvironmentVersions(connection, virtual.environment));
  recordEnvironment(session, virtual, project, new Map([...versions].map(([id, version]) => [id, version.fingerprint])));
  return { project, versions };
}

/**
 * The project as a command that only reads it names it (`compile`, `show`): with --env, by the environment's views,
 * so refs compile to them; as it is otherwise (the default environment's views have the nodes' own names).
 */
export function projectForEnvironment(session: Session, args: Pick<BuildArgs, 'env'>): LoadedProject {
  const virtual = virtualRunOf(session, args);
  if (!virtual || args.env === undefined) return session.loaded;
  const project = environmentProject(session.loaded, virtual.settings, virtual.environment);
  recordEnvironment(session, virtual, project, new Map());
  return project;
}

/** The schemas a run in an environment writes to (the writer lock's scope): the physical schema and the environment's. */
export function environmentSchemas(loaded: LoadedProject, virtual: VirtualRun): string[] {
  const schemas = new Set([virtual.settings.physicalSchema]);
  for (const node of loaded.parsed.nodes.values()) if (isVersioned(node) || node.config.store_failures) schemas.add(environmentRelation(virtual.settings, node, virtual.environment).schema);
  return [...schemas];
}

/** What `tsdbt plan` adds to a run: showing the plan, and asking whether to apply it. */
export interface PlanReview {
  show(plan: Plan): void;
  confirm(plan: Plan): Promise<boolean>;
}

/** The nodes a run builds and the project they are built in, and what to do once they are. */
export interface PreparedRun {
  loaded: LoadedProject;
  selected: Set<string>;
  finish(summary: RunSummary): Promise<void>;
}

export interface EnvironmentRunRequest {
  session: Session;
  adapter: Adapter;
  virtual: VirtualRun;
  /** The user's selection. */
  selected: Set<string>;
  command: string;
  reporter: Reporter;
  lockTimeoutMs: number;
  range?: { start?: Date; end?: Date };
  /** `tsdbt plan`: builds only what the plan must, after showing it and asking. */
  review?: PlanReview;
}

/**
 * A run in a virtual environment, under the writer lock. `test` runs the selected tests on the environment's views.
 * Every other command plans the environment, builds the versions it lacks (with their data tests, so a failing one
 * stops the promotion), refreshes the selected nodes' tables in place (not `plan`), and promotes the environment in
 * one transaction once every node succeeded; undefined when the plan is not to be applied.
 */
export async function prepareEnvironmentRun(request: EnvironmentRunRequest): Promise<PreparedRun | undefined> {
  const { session, adapter, virtual, reporter } = request;
  const { loaded } = session;
  if (request.command === 'test') return { loaded: (await readEnvironment(session, adapter, virtual)).project, selected: request.selected, finish: async () => undefined };
  const project = environmentProject(loaded, virtual.settings, virtual.environment);
  // Its versions are known once planned: a plan that fails still leaves the manifest naming the environment's views.
  recordEnvironment(session, virtual, project, new Map());
  const range = backfillRange(request);
  const environmentPlan = await computeEnvironmentPlan({ loaded, adapter, settings: virtual.settings, environment: virtual.environment, range });
  const { plan } = environmentPlan;
  if (request.range && !request.review) refuseRangedBuilds(plan);
  // The manifest's fingerprints are the versions the environment shows once the command is done: the plan's when it
  // is applied, the ones it had when it is not.
  const fingerprints = (applied: boolean) =>
    new Map(plan.nodes.flatMap((node) => {
      const fingerprint = applied ? node.fingerprint : node.previousFingerprint;
      return fingerprint === undefined ? [] : [[node.uniqueId, fingerprint] as const];
    }));
  if (request.review) {
    request.review.show(plan);
    if (!planChanges(plan)) reporter.info(`Environment '${plan.environment}' is up to date: nothing to apply`);
    if (!planChanges(plan) || !(await request.review.confirm(plan))) {
      recordEnvironment(session, virtual, project, fingerprints(false));
      return undefined;
    }
  } else {
    reporter.info(planSummary(plan));
  }
  recordEnvironment(session, virtual, project, fingerprints(true));
  const built = new Set(plan.nodes.filter((node) => node.action === 'build').map((node) => node.uniqueId));
  const refreshed = request.review ? [] : [...request.selected].filter((id) => isVersioned(loaded.parsed.nodes.get(id)!));
  const tests = [...loaded.parsed.nodes.values()].filter(
    (node) => node.resourceType === 'test' && (node.dependsOn.some((id) => built.has(id)) || (!request.review && request.selected.has(node.uniqueId))),
  );
  const unitTests = request.review ? [] : [...request.selected].filter((id) => loaded.parsed.nodes.get(id)!.resourceType === 'unit_test');
  const physical = physicalProject(loaded, environmentPlan, virtual.settings);
  const carried = await carrySnapshotHistory(adapter, physical, environmentPlan);
  if (carried.length > 0) reporter.info(`New snapshot versions start with their previous version's history: ${carried.join(', ')}`);
  return {
    loaded: physical,
    selected: new Set([...built, ...refreshed, ...tests.map((node) => node.uniqueId), ...unitTests]),
    finish: async (summary) => {
      if (await finishEnvironmentRun(request, environmentPlan, built, summary)) return;
      // Not promoted: the manifest, written as the run began, names the versions the environment still has.
      recordEnvironment(session, virtual, project, fingerprints(false));
      saveManifest(session);
    },
  };
}

/**
 * `tsdbt plan --start/--end`: a development backfill, whose microbatch versions hold that range only (and so are other
 * versions than the complete ones). Not for the default environment, whose views are what everyone reads.
 */
function backfillRange(request: EnvironmentRunRequest): Plan['range'] {
  if (!request.review || !request.range) return undefined;
  if (request.virtual.environment === request.virtual.settings.defaultEnvironment) {
    throw new TsdbtError('usage', `--start/--end limit a development backfill, and '${request.virtual.environment}' is the default environment`, {
      hint: `plan a development environment with them (tsdbt plan dev --start ...), or plan '${request.virtual.environment}' without them`,
    });
  }
  return { start: request.range.start?.toISOString(), end: request.range.end?.toISOString() };
}

/**
 * In `run`/`build`, --event-time-start/--event-time-end reprocess batches of the tables an environment has; a new
 * version of a microbatch model built with them would hold that range only, under the fingerprint of a complete one.
 */
function refuseRangedBuilds(plan: Plan): void {
  const partial = plan.nodes.filter((node) => node.action === 'build' && node.backfill?.kind === 'microbatch');
  if (partial.length === 0) return;
  throw new TsdbtError('usage', `--event-time-start/--event-time-end reprocess existing batches, and ${partial.map((node) => node.name).join(', ')} need${partial.length === 1 ? 's' : ''} a new version first`, {
    hint: `build the new versions with \`tsdbt plan ${plan.environment}\` (with --start/--end for a limited development backfill), then reprocess`,
  });
}

/** Records what was built and promotes the environment if every node succeeded; whether it was promoted. */
async function finishEnvironmentRun(request: EnvironmentRunRequest, environmentPlan: EnvironmentPlan, built: ReadonlySet<string>, summary: RunSummary): Promise<boolean> {
  const { adapter, reporter, virtual } = request;
  const succeeded = new Set(summary.results.filter((result) => result.status === 'success' && built.has(result.uniqueId)).map((result) => result.uniqueId));
  await recordVersions(adapter, environmentPlan, succeeded);
  const failed = summary.results.filter((result) => result.status === 'error' || result.status === 'fail');
  if (summary.cancelled || failed.length > 0) {
    reporter.warn(`environment '${virtual.environment}' not promoted: ${summary.cancelled ? 'the run was cancelled' : `${failed.length} node${failed.length === 1 ? '' : 's'} failed`}; the versions built are kept for the next plan`);
    return false;
  }
  const changed = await promote(adapter, request.session.loaded, environmentPlan, virtual.settings, request.lockTimeoutMs);
  reporter.info(`Promoted environment '${virtual.environment}': ${changed} view${changed === 1 ? '' : 's'} repointed in one transaction`);
  return true;
}

/** One line: how many nodes the plan builds, reuses and keeps. */
export function planSummary(plan: Plan): string {
  const count = (action: string) => plan.nodes.filter((node) => node.action === action).length;
  return `Plan for environment '${plan.environment}': ${count('build')} to build, ${count('reuse')} reused, ${count('keep')} unchanged, ${plan.removed.length} removed`;
}
