import type { Connection } from '../adapters/adapter.js';
import { derivedIdentifier, quoteIdentifier, quoteRelation } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import type { ColumnInfo, FixtureRows, ModelNode, Relation, UnitTestInput, UnitTestNode } from '../core/nodes.js';
import type { ParsedProject } from '../parser/project-parser.js';
import { injectCtes } from '../templating/compiler.js';
import type { InputReplacements } from '../core/render.js';
import { fixtureColumns, inferredType, literalRowsQuery, type TypedColumn } from '../testing/fixture-rows.js';
import { compareRows, describeDiff } from '../testing/unit-test-compare.js';
import { RENDERERS } from './model-runner.js';
import { compiledFileOf } from '../artifacts/paths.js';
import { executeNode, type NodeRunner } from './node-runner.js';

/**
 * Runs a unit test: its model rendered with each input replaced by a CTE of the given rows (typed as the input's
 * columns), run into a temporary table, and compared with the expected rows. All in a transaction that is rolled
 * back, so it creates nothing and needs nothing built.
 */
export const unitTestRunner: NodeRunner<UnitTestNode> = {
  runs: () => true,
  kind: () => 'unit test',
  relation: (node) => `${modelOf(node)}::${node.name}`,
  run(node, deps, worker) {
    const compiledPath = deps.paths.compiledRelative(compiledFileOf(node));
    return executeNode(unitTestRunner, node, deps, worker, (execution) =>
      deps.adapter.withConnection((connection) =>
        rolledBack(connection, async () => {
          const { parsed } = deps.compiler;
          const model = parsed.nodes.get(node.test.attachedNode) as ModelNode;
          const spec = node.unitTest;
          const maxLength = deps.adapter.capabilities.maxIdentifierLength;
          const inputs: InputReplacements & { refs: Map<string, string>; sources: Map<string, string> } = { refs: new Map(), sources: new Map() };
          const ctes: string[] = [];
          for (const { input, rows } of spec.given) {
            const name = cteName(input, maxLength);
            const columns = await givenColumns(connection, upstreamOf(parsed, model, input), rows);
            ctes.push(`${quoteIdentifier(name)} as (\n${literalRowsQuery(columns, rows)}\n)`);
            if (input.kind === 'ref') inputs.refs.set(input.name, name);
            else if (input.kind === 'source') inputs.sources.set(`${input.source}.${input.table}`, name);
            else inputs.this = name;
          }
          const output = await RENDERERS[model.language ?? 'sql'](model, deps, { isIncremental: spec.isIncremental, inputs, vars: spec.vars }, connection);
          if (output.kind !== 'sql') {
            throw new TsdbtError('config', `model '${model.name}' returns rows, and a unit test can only replace the inputs of a query`, {
              location: { file: node.originalFilePath },
              hint: `return a Kysely query built with the context's db to unit-test ${model.originalFilePath}`,
            });
          }
          const sql = injectCtes(output.sql, ctes);
          deps.writers.compiled.write(deps.paths.absolute(compiledPath), `${sql}\n`);
          execution.locate = () => ({ compiled: compiledPath });
          const actual = quoteIdentifier(derivedIdentifier(`tsdbt_unit__${node.name}`, '', maxLength));
          await execution.run(connection, `create temporary table ${actual} as\n${sql}`);
          const diff = await compareRows(connection, actual, await connection.introspector.relationColumns(actual), spec.expect);
          const failed = diff.rows.length > 0;
          return { status: failed ? 'fail' : 'pass', message: failed ? describeDiff(diff) : 'PASS', rowsAffected: null, failures: diff.rows.length, location: compiledPath };
        }),
      ),
    );
  },
};

function modelOf(node: UnitTestNode): string {
  return node.fqn.at(-2)!;
}

/** BEGIN ... ROLLBACK: the temporary table goes, and whatever the model's code did in the database with it. */
async function rolledBack<T>(connection: Connection, work: () => Promise<T>): Promise<T> {
  await connection.query('begin');
  try {
    return await work();
  } finally {
    await connection.query('rollback');
  }
}

/** `"__tsdbt__ref__orders"`: what the model reads instead of the input. */
function cteName(input: UnitTestInput['input'], maxLength: number): string {
  const name = input.kind === 'ref' ? `ref__${input.name}` : input.kind === 'source' ? `source__${input.source}__${input.table}` : 'this';
  return derivedIdentifier(`__tsdbt__${name}`, '', maxLength);
}

/** The relation an input stands for, and its documented columns. */
function upstreamOf(parsed: ParsedProject, model: ModelNode, input: UnitTestInput['input']): { relation: Relation; columns: Record<string, ColumnInfo> } {
  if (input.kind === 'this') return model;
  if (input.kind === 'source') return parsed.sources.get(`source.${parsed.project.name}.${input.source}.${input.table}`)!;
  return model.dependsOn.map((id) => parsed.nodes.get(id)).find((node) => node?.name === input.name)!;
}

/**
 * The columns of an input's CTE: the relation's own, with their types, when it exists; else those its property file
 * types; then any other column the rows name, typed from its values. Columns the rows omit are null.
 */
async function givenColumns(connection: Connection, upstream: { relation: Relation; columns: Record<string, ColumnInfo> }, rows: FixtureRows): Promise<TypedColumn[]> {
  const known: TypedColumn[] = (await connection.introspector.findRelation(upstream.relation))
    ? await connection.introspector.relationColumns(quoteRelation(upstream.relation))
    : Object.values(upstream.columns).flatMap((column) => (column.dataType ? [{ name: column.name, type: column.dataType }] : []));
  const inferred = fixtureColumns(rows)
    .filter((name) => !known.some((column) => column.name === name))
    .map((name) => ({ name, type: inferredType(rows, name) }));
  return [...known, ...inferred];
}
