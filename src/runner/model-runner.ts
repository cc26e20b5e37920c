import type { Connection } from '../adapters/adapter.js';
import { compiledFileOf } from '../artifacts/paths.js';
import type { ModelLanguage, ModelNode } from '../core/nodes.js';
import type { ModelOutput } from '../materializations/model-output.js';
import { isEphemeral, materializations } from '../materializations/registry.js';
import type { RenderOptions } from '../core/render.js';
import { renderTypescript } from '../typescript-models/typescript-renderer.js';
import { LineIndex } from '../util/line-index.js';
import { withHooks } from './hooks.js';
import { executeNode, type Execution, type FailurePlace, type NodeRunner, type RunnerDependencies } from './node-runner.js';

/** Renders a model for one build; one per model language. */
export type ModelRenderer = (node: ModelNode, deps: RunnerDependencies, options: RenderOptions, connection: Connection) => Promise<ModelOutput>;

// What its templates read of the database while compiled (dbt_utils.star) is read on the build's own connection.
const renderSql: ModelRenderer = async (node, deps, options, connection) => ({ kind: 'sql', sql: (await deps.compiler.compile(node.uniqueId, options, (work) => work(connection))).sql });

export const RENDERERS: Record<ModelLanguage, ModelRenderer> = { sql: renderSql, typescript: renderTypescript };

/** A query, whatever the language, is written to target/compiled/, and failures are mapped back into that file. */
async function render(node: ModelNode, deps: RunnerDependencies, execution: Execution, options: RenderOptions, connection: Connection): Promise<ModelOutput> {
  // dbt's sql_header: session settings (`set local work_mem = '256MB'`) on the connection that will run the model.
  const header = node.config.sql_header;
  if (header) await execution.run(connection, header);
  const output = await RENDERERS[node.language ?? 'sql'](node, deps, options, connection);
  if (output.kind === 'sql') {
    const { sql } = output;
    const compiledPath = deps.paths.compiledRelative(batchFileOf(node, options));
    deps.writers.compiled.write(deps.paths.absolute(compiledPath), `${sql}\n`);
    execution.locate = (error, statement) => locateFailure(node, deps, options, { path: compiledPath, sql }, compiledOffset(error, sql, statement));
  }
  return output;
}

/** Builds a model with its materialization. */
export const modelRunner: NodeRunner<ModelNode> = {
  runs: (node) => !isEphemeral(node),
  kind: (node) => `${node.language ?? 'sql'} ${node.config.materialized} model`,
  run(node, deps, worker) {
    return executeNode(modelRunner, node, deps, worker, (execution) =>
      withHooks(node, deps, execution, () =>
        materializations.get(node.config.materialized).build({
          ...execution,
          render: (options, connection) => render(node, deps, execution, options, connection),
          fullRefresh: deps.fullRefresh && node.config.full_refresh !== false,
          threads: deps.threads,
          batches: { ...deps.batches, retry: deps.batches.retry?.get(node.uniqueId) },
          signal: deps.signal,
        }),
      ),
    );
  },
};

/** Each microbatch's SQL is kept beside the model's: `models/x.sql` (or `.ts`) has `models/x/batch_2024-01-31T00.sql`. */
function batchFileOf(node: ModelNode, options: RenderOptions): string {
  const file = compiledFileOf(node);
  if (!options.batch) return file;
  return `${file.replace(/\.sql$/, '')}/batch_${options.batch.start.toISOString().slice(0, 13)}.sql`;
}

/** A database error's position (1-based, in characters of the statement) as an offset into the compiled SQL, if it falls there. */
function compiledOffset(error: unknown, compiledSql: string, statement: string | undefined): number | undefined {
  const position = Number((error as { position?: string }).position);
  if (!statement || !Number.isFinite(position)) return undefined;
  // The materialization wraps the compiled SQL (create table ... as (...)): the wrapper's length is subtracted.
  const start = statement.indexOf(compiledSql);
  const offset = position - 1 - start;
  return start < 0 || offset < 0 || offset > compiledSql.length ? undefined : offset;
}

/** The compiled file at the error's line and column, and the place in the model's template the compiled text came from. */
function locateFailure(node: ModelNode, deps: RunnerDependencies, options: RenderOptions, compiled: { path: string; sql: string }, offset: number | undefined): FailurePlace {
  const file = node.originalFilePath;
  if (offset === undefined) return { compiled: compiled.path, source: { file } };
  const { line, column } = new LineIndex(compiled.sql).positionOf(offset);
  const inCompiled = `${compiled.path}:${line}:${column}`;
  // A TypeScript model's SQL is built by code, not a template: only its file is known.
  const inTemplate = (node.language ?? 'sql') === 'sql' ? deps.compiler.templatePosition(node.uniqueId, options, compiled.sql, offset) : undefined;
  if (!inTemplate) return { compiled: inCompiled, source: { file } };
  return { compiled: inCompiled, source: { file, line: inTemplate.line, column: inTemplate.column, inCallOutput: !inTemplate.exact } };
}
