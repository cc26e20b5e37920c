import type { Adapter, Connection } from '../adapters/adapter.js';
import { findRelation } from '../adapters/catalog.js';
import { quoteRelation } from '../adapters/sql.js';
import type { ArtifactPaths } from '../artifacts/paths.js';
import { TsdbtError } from '../errors.js';
import type { GraphNode } from '../graph/nodes.js';
import { materializations } from '../materializations/registry.js';
import type { Compiler } from '../templating/compiler.js';
import type { ArtifactWriter } from '../artifacts/artifact-writer.js';
import type { NodeResult } from './results.js';

export interface ModelRunnerDependencies {
  adapter: Adapter;
  compiler: Compiler;
  paths: ArtifactPaths;
  writers: { compiled: ArtifactWriter; run: ArtifactWriter };
  runId: string;
  fullRefresh: boolean;
}

/** Compiles one model and builds it with its materialization; any failure becomes an `error` result, never a throw. */
export async function runModel(node: GraphNode, deps: ModelRunnerDependencies, worker: number): Promise<NodeResult> {
  const started = new Date();
  const materialization = materializations.get(node.config.materialized);
  const relation = quoteRelation(node.relation);
  const base = { uniqueId: node.uniqueId, relation, kind: `sql ${node.config.materialized} model`, threadId: `Thread-${worker}` };
  const statements: string[] = [];
  let compiledSql = '';
  const compiledPath = deps.paths.compiledRelative(node.originalFilePath);
  try {
    compiledSql = deps.compiler.compile(node.uniqueId).sql;
    deps.writers.compiled.write(deps.paths.absolute(compiledPath), `${compiledSql}\n`);
    const outcome = await materialization.build({
      node,
      sql: compiledSql,
      relation,
      adapter: deps.adapter,
      findExisting: (connection) => findRelation(connection, node.relation),
      runId: deps.runId,
      fullRefresh: deps.fullRefresh,
      run: async (connection: Connection, sql: string) => {
        statements.push(sql);
        const result = await connection.query(sql);
        return { rowCount: result.rowCount };
      },
    });
    return { ...base, ...timing(started), status: 'success', message: outcome.message, rowsAffected: outcome.rowsAffected };
  } catch (error) {
    return {
      ...base,
      ...timing(started),
      status: 'error',
      message: describeFailure(error),
      rowsAffected: null,
      location: failureLocation(error, node, compiledPath, compiledSql, statements.at(-1)),
    };
  } finally {
    if (statements.length > 0) deps.writers.run.write(deps.paths.absolute(deps.paths.runRelative(node.originalFilePath)), `${statements.join(';\n\n')};\n`);
  }
}

function timing(started: Date) {
  const completed = new Date();
  return { startedAt: started.toISOString(), completedAt: completed.toISOString(), executionTime: (completed.getTime() - started.getTime()) / 1000 };
}

function describeFailure(error: unknown): string {
  if (error instanceof TsdbtError) return error.hint ? `${error.message} (${error.hint})` : error.message;
  const database = error as { message?: string; code?: string; detail?: string; hint?: string };
  if (database.code === '57014') return 'cancelled';
  return [database.message ?? String(error), database.detail && `detail: ${database.detail}`, database.hint && `hint: ${database.hint}`].filter(Boolean).join('\n  ');
}

/** A database error's position is an offset into the statement; map it back into the compiled file when it falls there. */
function failureLocation(error: unknown, node: GraphNode, compiledPath: string, compiledSql: string, statement: string | undefined): string {
  if (error instanceof TsdbtError) return error.where ?? node.originalFilePath;
  const position = Number((error as { position?: string }).position);
  if (!statement || !compiledSql || !Number.isFinite(position)) return compiledPath;
  const start = statement.indexOf(compiledSql);
  const offset = position - 1 - start;
  if (start < 0 || offset < 0 || offset > compiledSql.length) return compiledPath;
  const before = compiledSql.slice(0, offset).split('\n');
  return `${compiledPath}:${before.length}:${before.at(-1)!.length + 1}`;
}
