import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Adapter } from '../adapters/adapter.js';
import type { AdapterOptions } from '../adapters/dialect.js';
import { createAdapter, type EmbeddedTarget } from '../adapters/registry.js';
import { buildManifest, writeManifest, type ArtifactMetadata } from '../artifacts/manifest.js';
import { ArtifactPaths } from '../artifacts/paths.js';
import { ArtifactWriter } from '../artifacts/artifact-writer.js';
import { TsdbtError } from '../errors.js';
import { selectNodes, type PreviousState } from '../graph/selection/index.js';
import type { ResourceType } from '../graph/nodes.js';
import { loadAndParse, type LoadedProject } from '../parser/load-project.js';
import { createReporter, type Reporter } from '../runner/reporter.js';
import type { CliIO } from './io.js';
import { parseVars, type GlobalArgs, type SelectionArgs } from './options.js';

/** What every command that reads the project starts with: the reporter, the parsed project, artifact paths. */
export interface Session {
  reporter: Reporter;
  loaded: LoadedProject;
  paths: ArtifactPaths;
  writers: { compiled: ArtifactWriter; run: ArtifactWriter };
  metadata: ArtifactMetadata;
}

export function createSessionReporter(args: GlobalArgs, io: CliIO): Reporter {
  return createReporter({
    format: args.logFormat,
    quiet: args.quiet,
    colors: io.colors && args.logFormat === 'text',
    stdout: io.stdout,
    stderr: io.stderr,
    progressLine: io.interactive && !args.quiet ? io.stdoutRaw : undefined,
  });
}

export async function openSession(args: GlobalArgs, reporter: Reporter): Promise<Session> {
  const loaded = await loadAndParse({
    projectDir: args.projectDir,
    profilesDir: args.profilesDir,
    profile: args.profile,
    target: args.target,
    threads: args.threads,
    vars: parseVars(args.vars),
    partialParse: args.partialParse,
  });
  if (loaded.resolved.origin.kind === 'embedded-default') {
    reporter.info(`No profile found (looked in ${loaded.resolved.origin.searched.join(', ')}): using the embedded PGlite database in ${relative(loaded.project.root, (loaded.resolved.target as EmbeddedTarget).path)}, schema public.`);
  }
  const paths = new ArtifactPaths(loaded.project);
  const metadata = { invocationId: randomUUID(), generatedAt: new Date().toISOString(), adapterType: loaded.resolved.target.type };
  const writers = { compiled: new ArtifactWriter(paths.folder('compiled')), run: new ArtifactWriter(paths.folder('run')) };
  return { reporter, loaded, paths, writers, metadata };
}

export async function flushArtifacts(session: Session): Promise<void> {
  await Promise.all([session.writers.compiled.flush(), session.writers.run.flush()]);
}

export function saveManifest(session: Session): void {
  writeManifest(session.paths, buildManifest(session.loaded, session.paths, session.metadata));
}

export function select(session: Session, args: SelectionArgs, resourceTypes?: ResourceType[]): Set<string> {
  const selected = selectNodes(session.loaded.graph, {
    select: args.select,
    exclude: args.exclude,
    state: args.state ? readState(args.state) : undefined,
    resourceTypes,
  });
  if (selected.size === 0) session.reporter.warn('nothing matches the selection; nothing to do');
  return selected;
}

function readState(dir: string): PreviousState {
  const file = join(resolve(dir), 'manifest.json');
  if (!existsSync(file)) throw new TsdbtError('usage', `--state ${dir}: no manifest.json there`, { hint: 'point --state at the target folder of an earlier run' });
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { nodes?: Record<string, { checksum?: { checksum: string }; config?: unknown }> };
  return {
    nodes: Object.fromEntries(
      Object.entries(manifest.nodes ?? {}).map(([id, node]) => [id, { checksum: node.checksum?.checksum ?? '', config: node.config ?? {} }]),
    ),
  };
}

/** Opens the target's database for the length of `work`, and always closes it (PGlite's lock included). */
export async function withAdapter<T>(session: Session, work: (adapter: Adapter) => Promise<T>, options: AdapterOptions = {}): Promise<T> {
  const adapter = await createAdapter(session.loaded.resolved.target, options);
  try {
    await adapter.open();
  } catch (error) {
    await adapter.close().catch(() => undefined);
    throw error;
  }
  let result: T;
  try {
    result = await work(adapter);
  } catch (error) {
    // The work's failure is the one to report; a failing close after it is not.
    await adapter.close().catch(() => undefined);
    throw error;
  }
  await adapter.close();
  return result;
}
