import type { Connection } from '../adapters/adapter.js';
import type { Project } from '../config/project.js';
import { describeNodeFailure, TsdbtError } from '../core/errors.js';
import type { GraphNode, Relation } from '../core/nodes.js';
import type { Execution, RunnerDependencies } from './node-runner.js';
import type { NodeResult } from '../core/results.js';

/** One hook: a SQL template from a node's config or the project file, and how messages name it. */
interface Hook {
  source: string;
  /** `pre_hook 2`, `on-run-start 1`. */
  label: string;
  /** Where template errors point. */
  file: string;
  /** `{{this}}`, for a node's hooks. */
  relation?: Relation;
}

type RunStatement = (connection: Connection, sql: string) => Promise<unknown>;

/** Renders and runs one hook; any failure names it. A hook that renders to nothing (a false `{{#if}}`) is skipped. */
async function runHook(deps: RunnerDependencies, connection: Connection, hook: Hook, run: RunStatement): Promise<void> {
  const sql = await deps.compiler.compileHook(hook.source, hook.file, (work) => work(connection), hook.relation);
  if (sql.trim() === '') return;
  try {
    await run(connection, sql);
  } catch (error) {
    throw new TsdbtError('runtime', `${hook.label} failed: ${describeNodeFailure(error)}`, { location: { file: hook.file }, cause: error });
  }
}

/**
 * A node's `pre_hook`s, its build, then its `post_hook`s: each list in order on one connection, outside the build's
 * transaction, recorded with the node's statements in target/run/. A failing hook fails the node.
 */
export async function withHooks<T>(node: GraphNode, deps: RunnerDependencies, execution: Execution, build: () => Promise<T>): Promise<T> {
  await runNodeHooks(node, deps, execution, 'pre_hook');
  const outcome = await build();
  await runNodeHooks(node, deps, execution, 'post_hook');
  return outcome;
}

async function runNodeHooks(node: GraphNode, deps: RunnerDependencies, execution: Execution, key: 'pre_hook' | 'post_hook'): Promise<void> {
  const sources = node.config[key] ?? [];
  if (sources.length === 0) return;
  await deps.adapter.withConnection(async (connection) => {
    for (const [index, source] of sources.entries()) {
      const label = `${key} ${index + 1}`;
      await runHook(deps, connection, { source, label, file: `${node.originalFilePath} (${label})`, relation: node.relation }, execution.run);
    }
  });
}

export type ProjectHookKind = 'on-run-start' | 'on-run-end';

/**
 * The project's `on-run-start` or `on-run-end` hooks, in order on one connection, each reported like a node and
 * recorded in target/run/<project>/hooks/. The first failure skips the rest of the list.
 */
export async function runProjectHooks(kind: ProjectHookKind, sources: string[], deps: RunnerDependencies, project: Pick<Project, 'name' | 'file'>): Promise<NodeResult[]> {
  const projectName = project.name;
  if (sources.length === 0) return [];
  deps.reporter.info(`Running ${sources.length} ${kind} hook${sources.length === 1 ? '' : 's'}`);
  const statements: string[] = [];
  const results: NodeResult[] = [];
  const record: RunStatement = (connection, sql) => {
    statements.push(sql);
    return connection.query(sql);
  };
  await deps.adapter.withConnection(async (connection) => {
    for (const [index, source] of sources.entries()) {
      const base = { uniqueId: `operation.${projectName}.${projectName}-${kind}-${index}`, kind: 'hook', threadId: 'main', rowsAffected: null };
      const label = `${kind} ${index + 1}`;
      const started = new Date();
      const skip = results.some((result) => result.status === 'error');
      if (!skip) deps.reporter.nodeStarted(base, index + 1, sources.length);
      const outcome = skip
        ? { status: 'skipped' as const, message: `an earlier ${kind} hook failed` }
        : await runHook(deps, connection, { source, label, file: `${project.file.path} (${label})` }, record).then(
            () => ({ status: 'success' as const, message: 'OK' }),
            (error: unknown) => ({ status: 'error' as const, message: describeNodeFailure(error), location: error instanceof TsdbtError ? error.where : undefined }),
          );
      const completed = new Date();
      results.push({ ...base, ...outcome, executionTime: (completed.getTime() - started.getTime()) / 1000, startedAt: started.toISOString(), completedAt: completed.toISOString() });
      deps.reporter.nodeFinished(results.at(-1)!, index + 1, sources.length);
    }
  });
  if (statements.length > 0) deps.writers.run.write(deps.paths.absolute(deps.paths.runRelative(`hooks/${kind}.sql`)), `${statements.join(';\n\n')};\n`);
  return results;
}
