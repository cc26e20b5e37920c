import { isEphemeral, materializations } from '../materializations/registry.js';
import { executeNode, type NodeRunner } from './node-runner.js';

/** Compiles a model (written to target/compiled/) and builds it with its materialization. */
export const modelRunner: NodeRunner = {
  runs: (node) => !isEphemeral(node),
  kind: (node) => `sql ${node.config.materialized} model`,
  run(node, deps, worker) {
    const compiledPath = deps.paths.compiledRelative(node.originalFilePath);
    return executeNode(modelRunner, node, deps, worker, async (execution) => {
      const sql = deps.compiler.compile(node.uniqueId).sql;
      deps.writers.compiled.write(deps.paths.absolute(compiledPath), `${sql}\n`);
      execution.locate = (error, statement) => locateInCompiled(error, compiledPath, sql, statement);
      return materializations.get(node.config.materialized).build({ ...execution, sql, fullRefresh: deps.fullRefresh });
    });
  },
};

/** A database error's position is an offset into the statement; map it back into the compiled file when it falls there. */
function locateInCompiled(error: unknown, compiledPath: string, compiledSql: string, statement: string | undefined): string {
  const position = Number((error as { position?: string }).position);
  if (!statement || !Number.isFinite(position)) return compiledPath;
  const start = statement.indexOf(compiledSql);
  const offset = position - 1 - start;
  if (start < 0 || offset < 0 || offset > compiledSql.length) return compiledPath;
  const before = compiledSql.slice(0, offset).split('\n');
  return `${compiledPath}:${before.length}:${before.at(-1)!.length + 1}`;
}
