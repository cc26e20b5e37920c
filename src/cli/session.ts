import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Adapter } from '../adapters/adapter.js';
import type { AdapterOptions } from '../adapters/dialect.js';
import { openAdapter, type EmbeddedTarget, type Target } from '../adapters/registry.js';
import { buildManifest, writeManifest, type ArtifactMetadata } from '../artifacts/manifest.js';
import { ArtifactPaths } from '../artifacts/paths.js';
import { ArtifactWriter } from '../artifacts/artifact-writer.js';
import { TsdbtError } from '../core/errors.js';
import { selectNodes, type PreviousState } from '../graph/selection/index.js';
import type { Relation, ResourceType } from '../core/nodes.js';
import { loadAndParse, type LoadedProject } from '../parser/load-project.js';
import { createReporter } from '../runner/reporter.js';
import type { Reporter } from '../core/reporter.js';
import type { CliIO } from './io.js';
import type { ReadDatabase } from '../templating/compile-time-database.js';
import { parseVars, statementLogFile, type GlobalArgs, type SelectionArgs } from './options.js';

/** What every command that reads the project starts with: the reporter, the parsed project, artifact paths. */
export interface Session {
  reporter: Reporter;
  loaded: LoadedProject;
  paths: ArtifactPaths;
  writers: { compiled: ArtifactWriter; run: ArtifactWriter };
  metadata: ArtifactMetadata;
  /** The target's database, opened while the project was parsed (openSession's `database`), until withAdapter takes it. */
  database?: Promise<Adapter>;
  /** How the target's database is opened: the statement log (--log-sql), the lock timeout of the commands that build. */
  adapterOptions: AdapterOptions;
  /** In a project with virtual environments, once the command knows its environment (`metadata.environment`). */
  environment?: SessionEnvironment;
}

/** What a command's manifest says of its environment. */
export interface SessionEnvironment {
  /** The project with each node named by the environment's view: what users query. */
  project: LoadedProject;
  /** unique id → the fingerprint of the version the environment's view shows, where the command knows it. */
  fingerprints: ReadonlyMap<string, string>;
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

/**
 * Parses the project. With `database`, the commands that will use the target's database whatever the parse gives have
 * it opened meanwhile (PGlite's WASM compile, its data directory's copy and start take as long as a small parse):
 * withAdapter then takes it, and closeUnusedDatabase closes it if the command ends before.
 */
export async function openSession(args: GlobalArgs, reporter: Reporter, database?: AdapterOptions): Promise<Session> {
  const adapterOptions: AdapterOptions = { ...database, statementLog: statementLogFile(args) };
  let opening: Promise<Adapter> | undefined;
  const openMeanwhile = (target: Target) => {
    opening = openTargetAdapter(target, adapterOptions);
    // Awaited by withAdapter or closeUnusedDatabase; a parse failing first must not leave it unhandled.
    opening.catch(() => undefined);
  };
  let loaded: LoadedProject;
  try {
    loaded = await loadAndParse({
      projectDir: args.projectDir,
      profilesDir: args.profilesDir,
      profile: args.profile,
      target: args.target,
      threads: args.threads,
      vars: parseVars(args.vars),
      partialParse: args.partialParse,
      onTarget: database ? openMeanwhile : undefined,
    });
  } catch (error) {
    await closeQuietly(opening);
    throw error;
  }
  // On stderr (a warning), so piped output stays the command's own.
  for (const note of loaded.project.notes) reporter.warn(note);
  if (loaded.resolved.origin.kind === 'embedded-default') {
    reporter.info(`No profile found (looked in ${loaded.resolved.origin.searched.join(', ')}): using the embedded PGlite database in ${relative(loaded.project.root, (loaded.resolved.target as EmbeddedTarget).path)}, schema public.`);
  }
  const paths = new ArtifactPaths(loaded.project);
  // Until a command says which environment it reads, its artifacts name the default one's views (the nodes' own relations).
  const metadata = { invocationId: randomUUID(), generatedAt: new Date().toISOString(), adapterType: loaded.resolved.target.type, environment: loaded.project.virtualEnvironments?.defaultEnvironment };
  const writers = { compiled: new ArtifactWriter(paths.folder('compiled')), run: new ArtifactWriter(paths.folder('run')) };
  return { reporter, loaded, paths, writers, metadata, database: opening, adapterOptions };
}

/** Closes the database openSession opened for a command that ended before withAdapter took it. */
export async function closeUnusedDatabase(session: Session): Promise<void> {
  const opening = session.database;
  session.database = undefined;
  await closeQuietly(opening);
}

/** Closes a database being opened once it is, if it opens; for failure paths, where the first error is the one to report. */
async function closeQuietly(opening: Promise<Adapter> | undefined): Promise<void> {
  const adapter = await opening?.catch(() => undefined);
  await adapter?.close().catch(() => undefined);
}

export async function flushArtifacts(session: Session): Promise<void> {
  await Promise.all([session.writers.compiled.flush(), session.writers.run.flush()]);
}

export function saveManifest(session: Session): void {
  const { environment } = session;
  writeManifest(session.paths, buildManifest(environment?.project ?? session.loaded, session.paths, session.metadata, environment?.fingerprints));
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

interface StateManifestNode {
  checksum?: { checksum: string };
  config?: unknown;
  schema?: string;
  alias?: string;
}

function readStateManifest(dir: string): { nodes?: Record<string, StateManifestNode> } {
  const file = join(resolve(dir), 'manifest.json');
  if (!existsSync(file)) throw new TsdbtError('usage', `--state ${dir}: no manifest.json there`, { hint: 'point --state at the target folder of an earlier run' });
  return JSON.parse(readFileSync(file, 'utf8')) as { nodes?: Record<string, StateManifestNode> };
}

/** `--defer` and `clone`: the relation of each node of the state manifest that has one (unique id → relation). */
export function readStateRelations(args: SelectionArgs, what = '--defer'): Map<string, Relation> {
  if (!args.state) throw new TsdbtError('usage', `${what} reads the relations of an earlier run and needs --state DIR`, { hint: 'point --state at the target folder of a production run' });
  const manifest = readStateManifest(args.state);
  return new Map(
    Object.entries(manifest.nodes ?? {}).flatMap(([id, node]) => (node.schema && node.alias ? [[id, { schema: node.schema, identifier: node.alias }] as const] : [])),
  );
}

function readState(dir: string): PreviousState {
  const manifest = readStateManifest(dir);
  return {
    nodes: Object.fromEntries(
      Object.entries(manifest.nodes ?? {}).map(([id, node]) => [id, { checksum: node.checksum?.checksum ?? '', config: node.config ?? {} }]),
    ),
  };
}

/**
 * Runs `work` with the target's database (the one openSession opened, else opened now), and always closes it
 * (PGlite's lock included).
 */
export async function withAdapter<T>(session: Session, work: (adapter: Adapter) => Promise<T>, options: AdapterOptions = {}): Promise<T> {
  const opening = session.database ?? openTargetAdapter(session.loaded.resolved.target, { ...session.adapterOptions, ...options });
  session.database = undefined;
  const adapter = await opening;
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

/**
 * The target's database for templates that read it while compiled (dbt_utils.star): opened at the first question
 * only, so `tsdbt compile` of a project that asks none touches no database; `close` closes it if it was opened.
 */
export function databaseOnDemand(session: Session): { read: ReadDatabase; close(): Promise<void> } {
  let opening: Promise<Adapter> | undefined;
  return {
    read: async (work) => {
      if (!opening) {
        opening = session.database ?? openTargetAdapter(session.loaded.resolved.target, session.adapterOptions);
        session.database = undefined;
      }
      await (await opening).withConnection(work);
    },
    close: async () => {
      await closeQuietly(opening);
      await closeUnusedDatabase(session);
    },
  };
}

/** Creates and opens the target's adapter, of the dialect the database turns out to be (registry.ts). */
async function openTargetAdapter(target: Target, options?: AdapterOptions): Promise<Adapter> {
  return (await openAdapter(target, options)).adapter;
}
