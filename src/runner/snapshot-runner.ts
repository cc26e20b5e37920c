import type { Connection } from '../adapters/adapter.js';
import { runStatements, type TableDistribution, type TableOptions } from '../adapters/dialect-sql.js';
import type { ColumnType } from '../adapters/introspector.js';
import { quoteIdentifier, quoteLiteral } from '../adapters/sql.js';
import { didYouMean, TsdbtError } from '../core/errors.js';
import type { SnapshotNode, SnapshotSpec } from '../core/nodes.js';
import { compiledFileOf } from '../artifacts/paths.js';
import { colocatedWith } from '../materializations/distribution.js';
import { temporaryName } from '../materializations/temporary-names.js';
import { withHooks } from './hooks.js';
import { executeNode, type Execution, type NodeRunner } from './node-runner.js';
import type { NodeOutcome } from '../core/results.js';

/** dbt's names for the columns a snapshot adds to its query's, so models written against dbt snapshots read ours. */
const SCD_ID = quoteIdentifier('dbt_scd_id');
const UPDATED_AT = quoteIdentifier('dbt_updated_at');
const VALID_FROM = quoteIdentifier('dbt_valid_from');
const VALID_TO = quoteIdentifier('dbt_valid_to');

/** Records the history of a query's rows (SCD type 2): a new version for each new or changed key, the old one closed. */
export const snapshotRunner: NodeRunner<SnapshotNode> = {
  runs: () => true,
  kind: (node) => `snapshot ${node.snapshot.strategy.kind}`,
  run(node, deps, worker) {
    // A YAML snapshot has no SQL file of its own: its SELECT is written beside its property file, under its name.
    const compiledPath = deps.paths.compiledRelative(compiledFileOf(node));
    return executeNode(snapshotRunner, node, deps, worker, (execution) =>
      withHooks(node, deps, execution, async () => {
        const { sql } = await deps.compiler.compile(node.uniqueId, {}, (work) => deps.adapter.withConnection(work));
        deps.writers.compiled.write(deps.paths.absolute(compiledPath), `${sql}\n`);
        execution.locate = () => ({ compiled: compiledPath });
        return snapshot(execution, node.snapshot, sql);
      }),
    );
  },
};

/**
 * dbt's algorithm in one transaction: the query is staged in a temporary table; the first run creates the snapshot
 * from it, later runs close the current rows of changed (and, if asked, vanished) keys and insert a new current row
 * for every key that has none. A run that finds no change writes nothing.
 *
 * A distributed snapshot is staged in a table distributed as it is (colocated with it, or a reference table), made
 * for the run and dropped before commit: Citus updates a distributed table from a colocated one (the key holds the
 * distribution column, so every join stays on its shard), never from a temporary table.
 */
async function snapshot(execution: Execution, spec: SnapshotSpec, sql: string): Promise<NodeOutcome> {
  const { node, adapter, distribution } = execution;
  const stagingName = quoteIdentifier(temporaryName(node.relation.identifier, 'snapshot', execution.runId, adapter.capabilities.maxIdentifierLength));
  const staging = distribution ? `${quoteIdentifier(node.relation.schema)}.${stagingName}` : stagingName;
  return adapter.transaction(async (connection) => {
    const existing = await execution.findExisting(connection);
    if (existing && existing.kind !== 'table') {
      throw new TsdbtError('runtime', `${execution.relation} is a ${existing.kind.replace('_', ' ')}, not a snapshot table`, {
        hint: 'drop it, or give the snapshot another name with alias or schema',
      });
    }
    const tables = snapshotTables(distribution, execution.relation, staging, existing !== undefined);
    await runStatements(connection.dialect.sql.createTableAs(staging, sql, tables.staging), (statement) => execution.run(connection, statement));
    const outcome = await snapshotFrom(execution, connection, spec, staging, tables.snapshot);
    if (distribution) await execution.run(connection, `drop table ${staging}`);
    return outcome;
  });
}

/**
 * How the staging table and, on the first run, the snapshot are created: a temporary staging table for a snapshot
 * without a distribution; else staging colocated with the existing snapshot, or, on the first run, staging with the
 * snapshot's own distribution and the snapshot colocated with it.
 */
export function snapshotTables(distribution: TableDistribution | undefined, snapshot: string, staging: string, exists: boolean): { staging: TableOptions; snapshot?: TableOptions } {
  if (!distribution) return { staging: { temporary: true }, snapshot: exists ? undefined : {} };
  if (exists) return { staging: { distribution: colocatedWith(distribution, snapshot) } };
  return { staging: { distribution }, snapshot: { distribution: colocatedWith(distribution, staging) } };
}

/** Creates the snapshot from the staged rows (with `create`, on its first run), or records in it what changed. */
async function snapshotFrom(execution: Execution, connection: Connection, spec: SnapshotSpec, staging: string, create: TableOptions | undefined): Promise<NodeOutcome> {
  const columns = await connection.introspector.relationColumns(staging);
  const statements = snapshotStatements(spec, checkColumns(execution, spec, columns), execution.relation, staging, await runTime(connection));
  if (create) {
    const created = await runStatements(connection.dialect.sql.createTableAs(execution.relation, statements.firstVersions, create), (statement) => execution.run(connection, statement));
    return { message: `SNAPSHOT ${created.rowCount ?? 0}`, rowsAffected: created.rowCount };
  }
  const present = new Set((await connection.introspector.relationColumns(execution.relation)).map((column) => column.name));
  if (!present.has('dbt_valid_to') || !present.has('dbt_updated_at')) {
    throw new TsdbtError('runtime', `${execution.relation} exists but is not a snapshot table (it has no dbt_valid_to and dbt_updated_at columns)`, {
      hint: 'drop it, or give the snapshot another name with alias or schema',
    });
  }
  // As dbt: columns new in the query are added; columns gone from it stay, null in new versions.
  for (const column of columns.filter((c) => !present.has(c.name))) {
    await execution.run(connection, `alter table ${execution.relation} add column ${quoteIdentifier(column.name)} ${column.type}`);
  }
  let updated = (await execution.run(connection, statements.closeChanged)).rowCount ?? 0;
  if (spec.hardDeletes === 'invalidate') updated += (await execution.run(connection, statements.closeDeleted)).rowCount ?? 0;
  const inserted = (await execution.run(connection, statements.insertCurrent)).rowCount ?? 0;
  return { message: `INSERT ${inserted}, UPDATE ${updated}`, rowsAffected: inserted + updated };
}

/**
 * The run's one instant, as dbt's snapshot_get_time (`now()::timestamp`): closing times and check-strategy versions
 * all carry it. Taken as text, so the statements hold the value itself and the target/run/ file reads as it ran.
 */
async function runTime(connection: Connection): Promise<string> {
  const { rows } = await connection.query(`select to_char(now()::timestamp, 'YYYY-MM-DD HH24:MI:SS.US') as now`);
  return `${quoteLiteral(String(rows[0]!.now))}::timestamp`;
}

/** The query's columns, once every column the config names is known to be among them. */
function checkColumns(execution: Execution, spec: SnapshotSpec, columns: ColumnType[]): string[] {
  const names = columns.map((column) => column.name);
  const named: Array<[string, string]> = spec.uniqueKey.map((key) => ['unique_key', key]);
  if (spec.strategy.kind === 'timestamp') named.push(['updated_at', spec.strategy.updatedAt]);
  else if (spec.strategy.columns !== 'all') named.push(...spec.strategy.columns.map((column): [string, string] => ['check_cols', column]));
  for (const [key, column] of named) {
    if (!names.includes(column)) {
      throw new TsdbtError('config', `${key} names column '${column}', which the snapshot's query does not have (it has ${names.join(', ')})`, {
        location: { file: execution.node.originalFilePath },
        hint: didYouMean(column, names) ?? 'select the column, or fix the config',
      });
    }
  }
  return names;
}

interface SnapshotStatements {
  /** The query the first run creates the snapshot from. */
  firstVersions: string;
  closeChanged: string;
  closeDeleted: string;
  insertCurrent: string;
}

/** `t` is the snapshot, `s` the staged query; keys match on every unique_key column. */
function snapshotStatements(spec: SnapshotSpec, columns: string[], target: string, staging: string, now: string): SnapshotStatements {
  const q = quoteIdentifier;
  const keyMatch = spec.uniqueKey.map((key) => `t.${q(key)} = s.${q(key)}`).join(' and ');
  const strategy = spec.strategy;
  // The timestamp strategy dates versions by the row's own updated_at; the check strategy by the run.
  const updatedAt = strategy.kind === 'timestamp' ? `s.${q(strategy.updatedAt)}` : now;
  const scdId = `md5(${[...spec.uniqueKey.map((key) => `s.${q(key)}`), updatedAt].map((part) => `coalesce(cast(${part} as text), '')`).join(` || '|' || `)})`;
  const checked = strategy.kind === 'check' ? (strategy.columns === 'all' ? columns.filter((column) => !spec.uniqueKey.includes(column)) : strategy.columns) : [];
  const changed =
    strategy.kind === 'timestamp'
      ? `s.${q(strategy.updatedAt)} > t.${UPDATED_AT}`
      : checked.map((column) => `s.${q(column)} is distinct from t.${q(column)}`).join(' or ') || 'false';
  const current = (alias: string) => `${alias}.${VALID_TO} is null`;
  return {
    // nullif(x, x): a null of x's type, so dbt_valid_to has the type of the other dates.
    firstVersions: `select s.*, ${scdId} as ${SCD_ID}, ${updatedAt} as ${UPDATED_AT}, ${updatedAt} as ${VALID_FROM}, nullif(${updatedAt}, ${updatedAt}) as ${VALID_TO}\nfrom ${staging} as s`,
    closeChanged: `update ${target} as t\nset ${VALID_TO} = ${updatedAt}\nfrom ${staging} as s\nwhere ${keyMatch} and ${current('t')} and (${changed})`,
    closeDeleted: `update ${target} as t\nset ${VALID_TO} = ${now}\nwhere ${current('t')} and not exists (select 1 from ${staging} as s where ${keyMatch})`,
    // After the closes, a key without a current row is new, changed, or back after a hard delete.
    insertCurrent:
      `insert into ${target} (${[...columns.map((column) => q(column)), SCD_ID, UPDATED_AT, VALID_FROM, VALID_TO].join(', ')})\n` +
      `select ${[...columns.map((column) => `s.${q(column)}`), scdId, updatedAt, updatedAt, 'null'].join(', ')}\nfrom ${staging} as s\n` +
      `where not exists (select 1 from ${target} as t where ${keyMatch} and ${current('t')})`,
  };
}
