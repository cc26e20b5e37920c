import { TsdbtError } from '../core/errors.js';
import { injectCtes, type CompilerInput } from '../templating/compiler.js';
import type { GraphNode } from '../core/nodes.js';
import type { DeclaredColumn, ModelOutput, ModelRow } from '../materializations/model-output.js';
import type { Adapter, Connection } from '../adapters/adapter.js';
import type { RenderOptions } from '../core/render.js';
import { compileQuery, createModelContext, isCompilableQuery } from './model-context.js';
import { ModelConnections } from './model-connections.js';
import { locateThrow, type TypescriptModel } from './model-module.js';

/**
 * A TypeScript model: its default export is called with a context. A Kysely query it returns is compiled to SQL and
 * materialised like a SQL model's; rows (an array, or an iterable, sync or async) are written with COPY under the
 * column types the project declares for it.
 */
/** What rendering a TypeScript model reads of a run (the runner's dependencies have more). */
export interface TypescriptRenderDependencies {
  compiler: { parsed: CompilerInput & { typescriptModels: ReadonlyMap<string, TypescriptModel> } };
  adapter: Adapter;
  projectRoot: string;
}

export async function renderTypescript(node: GraphNode, deps: TypescriptRenderDependencies, options: RenderOptions, connection: Connection): Promise<ModelOutput> {
  const { parsed } = deps.compiler;
  const model = parsed.typescriptModels.get(node.uniqueId)!;
  const connections = new ModelConnections(deps.adapter, connection, node.originalFilePath);
  const context = createModelContext(parsed, node, options, connections);
  const fail = (error: unknown) => thrownByModel(error, model, deps.projectRoot);
  let result: unknown;
  try {
    result = await model.run(context);
  } catch (error) {
    throw fail(error);
  }
  if (isCompilableQuery(result)) return { kind: 'sql', sql: injectCtes(compileQuery(result, context.db, node.originalFilePath), context.batchFilters) };
  if (isRows(result)) return { kind: 'rows', columns: declaredColumns(node), rows: rethrowing(connections.writingRows(result), fail) };
  throw new TsdbtError('runtime', `${node.originalFilePath} returned ${describe(result)}`, {
    location: { file: node.originalFilePath },
    hint: 'a TypeScript model returns a Kysely query (context.db.selectFrom(...)) or rows: an array, or a generator of objects',
  });
}

function isRows(value: unknown): value is Iterable<ModelRow> | AsyncIterable<ModelRow> {
  if (typeof value !== 'object' || value === null) return false;
  return Symbol.iterator in value || Symbol.asyncIterator in value;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'}) that is neither a query nor rows`;
  return `a ${typeof value}`;
}

/**
 * Rows go into a table whose column types are declared: in a property file (`columns:` with `data_type`), or in
 * config `column_types`, which wins. Property-file order first, then the rest of `column_types`.
 */
function declaredColumns(node: GraphNode): DeclaredColumn[] {
  const columnTypes = node.config.column_types ?? {};
  const names = [...new Set([...Object.keys(node.columns), ...Object.keys(columnTypes)])];
  const untyped = names.filter((name) => !columnTypes[name] && !node.columns[name]?.dataType);
  if (names.length === 0 || untyped.length > 0) {
    throw new TsdbtError('compile', `${node.originalFilePath} returns rows, and ${names.length === 0 ? 'no column types are declared' : `column ${untyped.join(', ')} has no declared type`}`, {
      location: { file: node.originalFilePath },
      hint: "declare each column's type: config column_types: {id: 'bigint', name: 'text'}, or data_type under columns: in a property file",
    });
  }
  return names.map((name) => ({ name, type: columnTypes[name] ?? node.columns[name]!.dataType! }));
}

/** The model's code runs again while its rows are read: what it throws then is its error too. */
async function* rethrowing(rows: AsyncIterable<ModelRow>, fail: (error: unknown) => TsdbtError): AsyncGenerator<ModelRow> {
  try {
    yield* rows;
  } catch (error) {
    throw fail(error);
  }
}

/** An error thrown by the model's code, pointing at the line that threw when the stack says, else at the file. */
function thrownByModel(error: unknown, model: TypescriptModel, root: string): TsdbtError {
  if (error instanceof TsdbtError && error.location?.line !== undefined) return error;
  const tsdbt = error instanceof TsdbtError ? error : undefined;
  return new TsdbtError('runtime', error instanceof Error ? error.message : String(error), {
    location: locateThrow(error, model, root) ?? tsdbt?.location ?? { file: model.file },
    hint: tsdbt?.hint,
    cause: error,
  });
}
