import { dirname } from 'node:path';
import type { Adapter, Connection } from '../adapters/adapter.js';
import { quoteRelation } from '../adapters/sql.js';
import type { ArtifactWriter } from '../artifacts/artifact-writer.js';
import type { ArtifactPaths } from '../artifacts/paths.js';
import { codeFrame, describeNodeFailure, isConnectionLost, isTransientFailure, TsdbtError } from '../core/errors.js';
import type { GraphNode } from '../core/nodes.js';
import type { TableDistribution } from '../adapters/dialect-sql.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import { tableDistribution } from '../materializations/distribution.js';
import type { SwapTarget } from '../materializations/swap.js';
import type { ParsedProject } from '../parser/project-parser.js';
import type { Compiler } from '../templating/compiler.js';
import type { TimeRange } from '../core/render.js';
import type { Reporter } from '../core/reporter.js';
import type { NodeOutcome, NodeResult, SourcePlace } from '../core/results.js';

/** What every node runner may use during one run. */
export interface RunnerDependencies {
  adapter: Adapter;
  compiler: Compiler<ParsedProject>;
  paths: ArtifactPaths;
  writers: { compiled: ArtifactWriter; run: ArtifactWriter };
  reporter: Reporter;
  projectRoot: string;
  runId: string;
  fullRefresh: boolean;
  /** --threads: a microbatch model may run this many batches at once. */
  threads: number;
  /** Microbatch ranges asked for by this run; `retry` holds each node's failed batches under `tsdbt retry`. */
  batches: { range?: Partial<TimeRange>; now: Date; retry?: Map<string, TimeRange[]> };
  signal: AbortSignal;
  /** --retries: how many more times a node is tried after a transient failure (lost connection, deadlock). */
  retries: number;
}

/** The pause before retry `attempt` (1, 2, ...): 1 s, 2 s, 4 s, at most 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000, 1_000 * 2 ** (attempt - 1));
}

/** Builds the nodes of one kind; registered by kind in run-task.ts. */
export interface NodeRunner<N extends GraphNode = GraphNode> {
  /** Whether this node is work at all (an ephemeral model is not). */
  runs(node: N): boolean;
  /** How the node is named in output: `sql table model`, `seed csv file`. */
  kind(node: N): string;
  /** What output and run_results name the node by; its relation unless this says otherwise. */
  relation?(node: N): string | undefined;
  run(node: N, deps: RunnerDependencies, worker: number): Promise<NodeResult>;
}

/** Where a failure points: the compiled file (file:line:column where known), and the place in the node's own file. */
export interface FailurePlace {
  compiled?: string;
  source?: SourcePlace;
}

/** One node's execution: the statements it ran, and where a failure points. */
export interface Execution extends SwapTarget {
  /** Maps a database failure to its places, where the runner knows better than the node's own file. */
  locate?: (error: unknown, lastStatement: string | undefined) => FailurePlace;
}

/**
 * Runs `work` for a node with timing, statement recording (target/run/) and failure capture: any failure becomes an
 * `error` result, never a throw, so the scheduler can skip descendants and carry on.
 */
export async function executeNode<N extends GraphNode>(
  runner: NodeRunner<N>,
  node: N,
  deps: RunnerDependencies,
  worker: number,
  work: (execution: Execution) => Promise<NodeOutcome>,
): Promise<NodeResult> {
  const started = new Date();
  const relation = quoteRelation(node.relation);
  const base = { uniqueId: node.uniqueId, relation: runner.relation ? runner.relation(node) : relation, kind: runner.kind(node), threadId: `Thread-${worker}` };
  const statements: string[] = [];
  const execution: Execution = {
    node,
    relation,
    adapter: deps.adapter,
    runId: deps.runId,
    findExisting: (connection) => connection.introspector.findRelation(node.relation),
    warn: (message) => deps.reporter.warn(message),
    run: async (connection: Connection, sql: string) => {
      statements.push(sql);
      const result = await connection.query(sql);
      return { rowCount: result.rowCount };
    },
  };
  try {
    execution.distribution = distributionFor(node, deps);
    const outcome = await withRetries(node, deps, () => work(execution));
    const failedBatches = outcome.batches?.failed ?? [];
    if (failedBatches.length > 0) {
      // The node failed, but not all of it: the batches that landed stay, and retry redoes only the rest.
      const message = `${failedBatches.length} of ${failedBatches.length + outcome.batches!.successful.length} batches failed: ${failedBatches.map((batch) => `${batch.start.toISOString()}: ${batch.message}`).join('; ')}`;
      return { ...base, ...timing(started), status: 'error', message, rowsAffected: outcome.rowsAffected, batches: outcome.batches, location: node.originalFilePath, ...inSource(node) };
    }
    const status = outcome.status ?? 'success';
    const place = status === 'success' || status === 'pass' ? {} : inSource(node);
    return { ...base, ...timing(started), status, message: outcome.message, rowsAffected: outcome.rowsAffected, batches: outcome.batches, failures: outcome.failures, location: outcome.location, ...place };
  } catch (error) {
    const place: FailurePlace =
      error instanceof TsdbtError ? { compiled: error.where ?? node.originalFilePath, source: error.location } : (execution.locate?.(error, statements.at(-1)) ?? {});
    const message = isConnectionLost(error)
      ? `lost the connection to ${deps.adapter.description} while building ${node.name}: ${describeNodeFailure(error)}`
      : describeNodeFailure(error);
    const text = error instanceof TsdbtError && error.source !== undefined ? error.source : undefined;
    return { ...base, ...timing(started), status: 'error', message, rowsAffected: null, location: place.compiled, ...inSource(node, place.source, text) };
  } finally {
    if (statements.length > 0) deps.writers.run.write(deps.paths.absolute(deps.paths.runRelative(runFileOf(node))), `${statements.join(';\n\n')};\n`);
  }
}

/**
 * Where the tables a model, seed or snapshot makes keep their rows, on an engine with distributed tables. A data test's
 * stored failures stay local: a few rows that only the coordinator reads, whatever columns the test selects.
 */
function distributionFor(node: GraphNode, deps: RunnerDependencies): TableDistribution | undefined {
  if (!deps.adapter.capabilities.distributedTables || !RESOURCE_KINDS[node.resourceType].referable) return undefined;
  return tableDistribution(node, (name) => deps.compiler.nodeNamed(name)?.relation);
}

/**
 * Runs a node's work again after a transient failure, up to --retries more times, with a growing pause: its work is
 * transactional, so a failed attempt left nothing behind. Not once the run is cancelled.
 */
async function withRetries<T>(node: GraphNode, deps: RunnerDependencies, attempt: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried > deps.retries || !isTransientFailure(error) || deps.signal.aborted) throw error;
      const delay = retryDelayMs(tried);
      deps.reporter.warn(`${node.name}: ${describeNodeFailure(error).split('\n')[0]}; trying again in ${delay / 1000} s (retry ${tried} of ${deps.retries})`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A failure's place in the node's own file (the file alone unless known better), with a code frame where it has a line. */
function inSource(node: GraphNode, place: SourcePlace = { file: node.originalFilePath }, text = place.file === node.originalFilePath ? node.rawCode : undefined) {
  return { sourceLocation: place, codeFrame: text && place.line !== undefined ? codeFrame(text, place.line, place.column) : undefined };
}

/** A model's own file; for a seed (several may share one property file) a file named after it. */
function runFileOf(node: GraphNode): string {
  return node.resourceType === 'model' ? node.originalFilePath : `${dirname(node.originalFilePath)}/${node.name}.sql`;
}

function timing(started: Date) {
  const completed = new Date();
  return { startedAt: started.toISOString(), completedAt: completed.toISOString(), executionTime: (completed.getTime() - started.getTime()) / 1000 };
}
