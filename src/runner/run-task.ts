import { randomBytes } from 'node:crypto';
import type { Adapter } from '../adapters/adapter.js';
import { quoteIdentifier, quoteRelation } from '../adapters/sql.js';
import { parseInstant } from '../util/time.js';
import type { ArtifactPaths } from '../artifacts/paths.js';
import type { ArtifactWriter } from '../artifacts/artifact-writer.js';
import type { GraphNode, NodeKind, NodeOfKind, Relation } from '../core/nodes.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import type { LoadedProject } from '../parser/load-project.js';
import { Compiler } from '../templating/compiler.js';
import type { TimeRange } from '../core/render.js';
import { runProjectHooks } from './hooks.js';
import { modelRunner } from './model-runner.js';
import type { NodeRunner, RunnerDependencies } from './node-runner.js';
import { seedRunner } from './seed-runner.js';
import { snapshotRunner } from './snapshot-runner.js';
import { schedulingGraph } from './build-graph.js';
import { testRunner } from './test-runner.js';
import { unitTestRunner } from './unit-test-runner.js';
import type { Reporter, StartedNode } from '../core/reporter.js';
import type { NodeResult, RunSummary } from '../core/results.js';
import { schedule } from './scheduler.js';

/** One runner per kind of node: a new kind is one module and one line here (a kind without a runner does not compile). */
const RUNNERS: { readonly [K in NodeKind]: NodeRunner<NodeOfKind<K>> } = { model: modelRunner, seed: seedRunner, snapshot: snapshotRunner, test: testRunner, unit_test: unitTestRunner };

/** The runner of a node's kind, which is only ever handed nodes of that kind (hence its methods widen to any node). */
function runnerOf(node: GraphNode): NodeRunner {
  return RUNNERS[node.resourceType];
}

export interface RunTaskOptions {
  loaded: LoadedProject;
  adapter: Adapter;
  selected: Set<string>;
  reporter: Reporter;
  paths: ArtifactPaths;
  writers: { compiled: ArtifactWriter; run: ArtifactWriter };
  threads: number;
  fullRefresh: boolean;
  failFast: boolean;
  /** --event-time-start/--event-time-end: the microbatches to backfill. */
  eventTimeRange?: { start?: Date; end?: Date };
  /** `tsdbt retry`: the failed batches of each microbatch model, which are all it redoes. */
  retryBatches?: Map<string, TimeRange[]>;
  /** Set by Ctrl-C: nothing new starts, running queries are cancelled. */
  signal: AbortSignal;
  /** --retries: more tries of a node after a transient failure. */
  retries: number;
  /** Work that need not delay the first node (writing the manifest): done once the first node is under way. */
  whileRunning?: () => void;
  /** `--defer`: unselected nodes whose refs resolve to another relation (see deferredRelations). */
  deferred?: ReadonlyMap<string, Relation>;
}

/** Builds the selected nodes in DAG order; the summary records every node, whatever happened to it. */
export async function runTask(options: RunTaskOptions): Promise<RunSummary> {
  const { loaded, adapter, reporter } = options;
  let whileRunning = options.whileRunning;
  const startedAt = Date.now();
  const runnable = new Set(
    [...options.selected].filter((id) => {
      const node = loaded.parsed.nodes.get(id);
      return node !== undefined && runnerOf(node).runs(node);
    }),
  );
  const nodes = [...runnable].map((id) => loaded.parsed.nodes.get(id)!);
  await createSchemas(adapter, nodes);
  const runId = randomBytes(4).toString('hex');
  const dependencies: RunnerDependencies = {
    adapter,
    compiler: new Compiler(loaded.parsed, loaded.graph, options.deferred),
    paths: options.paths,
    writers: options.writers,
    reporter,
    projectRoot: loaded.project.root,
    runId,
    fullRefresh: options.fullRefresh,
    threads: options.threads,
    batches: { range: options.eventTimeRange, now: currentTime(), retry: options.retryBatches },
    signal: options.signal,
    retries: options.retries,
  };
  const started = await runProjectHooks('on-run-start', loaded.project.onRunStart, dependencies, loaded.project);
  // What on-run-start prepares (schemas, grants, audit rows) is missing: no node may run without it.
  const startFailed = started.some((result) => result.status === 'error');
  const concurrency = Math.max(1, Math.min(options.threads, adapter.concurrency));
  const freeSlots = Array.from({ length: concurrency }, (_, i) => concurrency - i);
  let failed = false;
  const total = runnable.size;

  const skipped = (id: string, reason: string, index: number): NodeResult => {
    const result: NodeResult = { ...describeNode(loaded.parsed.nodes.get(id)!), status: 'skipped', message: reason, rowsAffected: null, executionTime: 0, threadId: 'main' };
    reporter.nodeFinished(result, index, total);
    return result;
  };

  const cancel = () => void adapter.cancelAll().catch(() => undefined);
  options.signal.addEventListener('abort', cancel, { once: true });

  const results = await schedule<NodeResult>({
    graph: schedulingGraph(loaded.graph.graph, loaded.graph.nodes, runnable),
    runnable,
    concurrency,
    execute: async (id, index) => {
      // PGlite runs in this thread and may never leave the microtask queue; a macrotask turn lets Ctrl-C be heard.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal.aborted) return skipped(id, 'cancelled', index);
      const slot = freeSlots.pop()!;
      const node = loaded.parsed.nodes.get(id)!;
      reporter.nodeStarted(describeNode(node), index, total);
      let result: NodeResult;
      try {
        const running = runnerOf(node).run(node, dependencies, slot);
        whileRunning?.();
        whileRunning = undefined;
        result = await running;
      } finally {
        freeSlots.push(slot);
      }
      if (options.signal.aborted && result.status === 'error') result.message = 'cancelled';
      if (result.status === 'error' || result.status === 'fail') failed = true;
      reporter.nodeFinished(result, index, total);
      return result;
    },
    failed: (result) => result.status === 'error' || result.status === 'fail',
    skip: skipped,
    shouldStop: () =>
      startFailed ? 'an on-run-start hook failed' : options.signal.aborted ? 'cancelled' : options.failFast && failed ? 'an earlier node failed and --fail-fast is set' : undefined,
  });
  options.signal.removeEventListener('abort', cancel);
  // As in dbt, on-run-end runs whatever the nodes did, but not after Ctrl-C.
  const ended = options.signal.aborted ? [] : await runProjectHooks('on-run-end', loaded.project.onRunEnd, dependencies, loaded.project);
  return { results: [...started, ...results, ...ended], elapsedSeconds: (Date.now() - startedAt) / 1000, cancelled: options.signal.aborted };
}

/** A node as its output lines name it: its kind (`sql table model`) and relation. */
function describeNode(node: GraphNode): StartedNode {
  const runner = runnerOf(node);
  return { uniqueId: node.uniqueId, kind: runner.kind(node), relation: runner.relation?.(node) ?? quoteRelation(node.relation) };
}

/** Missing schemas are created up front, one at a time, so threads never race to create the same one. */
async function createSchemas(adapter: Adapter, nodes: GraphNode[]): Promise<void> {
  // A data test has a relation only when it keeps its failures; a unit test creates nothing.
  const building = nodes.filter((node) => {
    const creates = RESOURCE_KINDS[node.resourceType].createsRelation;
    return creates === 'always' || (creates === 'store_failures' && node.config.store_failures);
  });
  const schemas = [...new Set(building.map((node) => node.relation.schema))].sort();
  await adapter.withConnection(async (connection) => {
    const existing = new Set(await connection.introspector.listSchemas());
    for (const schema of schemas.filter((s) => !existing.has(s))) {
      await connection.query(`create schema if not exists ${quoteIdentifier(schema)}`);
    }
  });
}

/** The run's clock; TSDBT_NOW pins it, for reproducible microbatch windows (and tests). */
function currentTime(): Date {
  const pinned = process.env.TSDBT_NOW;
  return pinned ? parseInstant(pinned, 'TSDBT_NOW') : new Date();
}
