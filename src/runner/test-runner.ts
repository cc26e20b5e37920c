import type { Connection } from '../adapters/adapter.js';
import { runStatements } from '../adapters/dialect-sql.js';
import { distinctIdentifiers, quoteIdentifier, quoteRelation } from '../adapters/sql.js';
import { compiledFileOf } from '../artifacts/paths.js';
import { buildAndSwap } from '../materializations/swap.js';
import { testStatus } from '../testing/thresholds.js';
import { executeNode, type NodeRunner } from './node-runner.js';
import type { TestNode } from '../core/nodes.js';

/**
 * Runs a data test: its SQL selects the failing rows; their count, against `error_if` / `warn_if` and the severity,
 * makes it pass, warn or fail. With `store_failures` the rows are kept in a table (swapped in, like a table model).
 */
export const testRunner: NodeRunner<TestNode> = {
  runs: () => true,
  kind: (node) => (node.test.testName ? `test ${node.test.testName}` : 'test'),
  relation: (node) => (node.config.store_failures ? quoteRelation(node.relation) : node.name),
  run(node, deps, worker) {
    const compiledPath = deps.paths.compiledRelative(compiledFileOf(node));
    return executeNode(testRunner, node, deps, worker, async (execution) => {
      const { sql } = await deps.compiler.compile(node.uniqueId, {}, (work) => deps.adapter.withConnection(work));
      deps.writers.compiled.write(deps.paths.absolute(compiledPath), `${sql}\n`);
      execution.locate = () => ({ compiled: compiledPath });
      const limit = node.config.limit;
      const failing = limit ? `select * from (\n${sql}\n) as dbt_limit\nlimit ${limit}` : sql;
      const failCalc = node.config.fail_calc;
      // dbt's fail_calc: what the failing rows count as (count(*) unless the test says otherwise).
      const calculated = async () => {
        const counted = await deps.adapter.withConnection((connection) => connection.query(`select coalesce((${failCalc ?? 'count(*)'})::bigint, 0) as failures from (\n${failing}\n) as dbt_test`));
        return Number(counted.rows[0]!.failures);
      };
      let failures: number;
      if (node.config.store_failures) {
        const stored =
          (await buildAndSwap(execution, 'table', async (connection, temporary) => {
            const columns = await failingColumns(connection, failing, deps.adapter.capabilities.maxIdentifierLength);
            return (await runStatements(connection.dialect.sql.createTableAs(temporary, failing, { columns }), (sql) => execution.run(connection, sql))).rowCount;
          })) ?? 0;
        failures = failCalc ? await calculated() : stored;
      } else {
        failures = await calculated();
      }
      const { status, condition } = testStatus(failures, node.config);
      const stored = node.config.store_failures ? `; failing rows in ${execution.relation}` : '';
      const message = status === 'pass' ? 'PASS' : `Got ${failures} result${failures === 1 ? '' : 's'}, configured to ${status} if ${condition}${stored}`;
      return { status, message, rowsAffected: null, failures, location: compiledPath };
    });
  },
};

/**
 * The column list of the table that stores failing rows: the query's own names, read without running it, each repeat
 * made distinct (`id`, `id_2`), as a test joining two tables with `select *` returns them. None for a query of no
 * columns (`select from ...`), which `()` would not parse.
 */
async function failingColumns(connection: Connection, failing: string, maxLength: number): Promise<string[] | undefined> {
  const { fields } = await connection.queryArrays(`select * from (\n${failing}\n) as dbt_test limit 0`);
  if (fields.length === 0) return undefined;
  return distinctIdentifiers(fields.map((field) => field.name), maxLength).map(quoteIdentifier);
}
