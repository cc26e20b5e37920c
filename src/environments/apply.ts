import type { Adapter, Connection } from '../adapters/adapter.js';
import { relationKey, type CatalogRelation, type DependentView } from '../adapters/introspector.js';
import { quoteIdentifier, quoteRelation } from '../adapters/sql.js';
import type { VirtualEnvironmentSettings } from '../config/project.js';
import { TsdbtError } from '../core/errors.js';
import type { GraphNode, Relation } from '../core/nodes.js';
import type { LoadedProject } from '../parser/load-project.js';
import { restoreViews } from '../materializations/swap.js';
import { applyGrants } from '../materializations/grants.js';
import { referableRelations, tableDistribution } from '../materializations/distribution.js';
import { hasRejects, rejectsRelation } from '../loaders/json-seed-table.js';
import { MAX_IDENTIFIER_LENGTH } from '../core/constants.js';
import type { EnvironmentPlan } from './compute-plan.js';
import { isVersioned } from './fingerprint.js';
import { environmentSchema } from './naming.js';
import type { PlannedNode } from './plan.js';
import { withRelations } from './relations.js';
import { forgetEnvironmentViews, writeEnvironmentViews, writeVersions } from './state.js';

/** An environment's relation for a node: its view, in the environment's schema. */
export function environmentRelation(settings: VirtualEnvironmentSettings, node: GraphNode, environment: string): Relation {
  return { schema: environmentSchema(settings, node.relation.schema, environment), identifier: node.relation.identifier };
}

/** The project as an environment reads it: every node named by its environment relation (tests run on the views). */
export function environmentProject(loaded: LoadedProject, settings: VirtualEnvironmentSettings, environment: string): LoadedProject {
  return withRelations(loaded, (node) => environmentRelation(settings, node, environment));
}

/**
 * The project as a plan builds it: each versioned node named by its planned physical table (so refs read the
 * physical tables of the versions being promoted, not the views), data tests by their environment relation (where
 * stored failures go).
 */
export function physicalProject(loaded: LoadedProject, environmentPlan: EnvironmentPlan, settings: VirtualEnvironmentSettings): LoadedProject {
  const tables = new Map(environmentPlan.plan.nodes.map((node) => [node.uniqueId, node.table]));
  return withRelations(loaded, (node) => (isVersioned(node) ? tables.get(node.uniqueId) : environmentRelation(settings, node, environmentPlan.plan.environment)));
}

/**
 * A snapshot's new version starts with the history its environment's previous version recorded, then takes its
 * snapshot on top (new columns are added, as dbt does): changing a snapshot's query loses no history, as in dbt, where
 * the snapshot table outlives a change of its query. Under the writer lock, before the run; a copy left by a run that
 * failed after it is reused.
 */
export async function carrySnapshotHistory(adapter: Adapter, physical: LoadedProject, environmentPlan: EnvironmentPlan): Promise<string[]> {
  const carried: string[] = [];
  const relationNamed = referableRelations(physical.parsed.nodes.values());
  for (const planned of environmentPlan.plan.nodes) {
    const previous = planned.previousFingerprint === undefined ? undefined : environmentPlan.versions.get(planned.previousFingerprint);
    if (planned.resourceType !== 'snapshot' || planned.action !== 'build' || !previous || previous.relation === quoteRelation(planned.table)) continue;
    const node = physical.parsed.nodes.get(planned.uniqueId)!;
    await adapter.transaction(async (connection) => {
      if (await connection.introspector.findRelation(planned.table)) return;
      const distribution = adapter.capabilities.distributedTables ? tableDistribution(node, relationNamed) : undefined;
      for (const statement of connection.dialect.sql.createTableAs(quoteRelation(planned.table), `select * from ${previous.relation}`, { distribution })) await connection.query(statement);
      carried.push(planned.name);
    });
  }
  return carried;
}

/**
 * Records the versions the plan built (`built`: the unique ids that succeeded) and those that reuse a table under a
 * new fingerprint, with their output columns as the catalog has them.
 */
export async function recordVersions(adapter: Adapter, environmentPlan: EnvironmentPlan, built: ReadonlySet<string>): Promise<void> {
  const { plan, logic, fingerprints, versions } = environmentPlan;
  const tableOf = new Map(plan.nodes.map((node) => [node.uniqueId, node.table]));
  const recorded = plan.nodes.filter((node) => (node.action === 'build' && built.has(node.uniqueId)) || (node.action === 'reuse' && !versions.has(node.fingerprint)));
  if (recorded.length === 0) return;
  await adapter.withConnection(async (connection) => {
    const catalog = await connection.introspector.describeRelations(recorded.map((node) => node.table));
    const rows = recorded.map((node) => {
      const own = logic.get(node.uniqueId)!;
      const columns = catalog.get(relationKey(node.table))?.columns.map((column) => column.name);
      const dependsOn = node.materialization === 'view' ? own.parents.map((parent) => quoteRelation(tableOf.get(parent)!)) : [];
      const partial = node.backfill?.kind === 'microbatch' && plan.range !== undefined;
      return {
        relation: quoteRelation(node.table),
        fingerprint: node.fingerprint,
        unique_id: node.uniqueId,
        table_fingerprint: node.tableFingerprint,
        materialization: node.materialization,
        logic: own.logic,
        compiled_sql: own.compiledSql ?? null,
        columns: columns ? JSON.stringify(columns) : null,
        parents: JSON.stringify(Object.fromEntries(own.parents.map((parent) => [parent, fingerprints.get(parent)]))),
        depends_on: JSON.stringify(dependsOn),
        event_time_start: partial && plan.range?.start ? new Date(plan.range.start) : null,
        event_time_end: partial && plan.range?.end ? new Date(plan.range.end) : null,
      };
    });
    await writeVersions(connection, rows);
    for (const row of rows) versions.set(row.fingerprint, { ...row, used_at: new Date() });
  });
}

/** How long promotion waits for readers of the environment's views to finish, trying again every RETRY_MS. */
const RETRY_MS = 100;
/** lock_not_available: a reader holds one of the views (NOWAIT). */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Points the environment's views at the plan's tables, and drops the views of removed nodes, in one transaction:
 * a reader sees the environment all before or all after. The views to replace are locked all at once, NOWAIT, and
 * the whole transaction tried again while a reader holds one, so promotion never holds some views while it waits for
 * others (which could deadlock with a reader going through them in another order).
 */
export async function promote(adapter: Adapter, loaded: LoadedProject, environmentPlan: EnvironmentPlan, settings: VirtualEnvironmentSettings, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      return await adapter.transaction((connection) => repoint(connection, loaded, environmentPlan, settings));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== LOCK_NOT_AVAILABLE) throw error;
      if (Date.now() - started > timeoutMs) {
        throw new TsdbtError('runtime', `could not promote environment '${environmentPlan.plan.environment}': readers kept its views busy for ${Math.round(timeoutMs / 1000)} s`, {
          hint: 'the new versions are built and kept: run the plan again when the readers are done, or give --lock-timeout more seconds',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

/** The repointing itself, inside the promotion's transaction; returns how many views it changed. */
async function repoint(connection: Connection, loaded: LoadedProject, environmentPlan: EnvironmentPlan, settings: VirtualEnvironmentSettings): Promise<number> {
  const { plan, versions } = environmentPlan;
  const environment = plan.environment;
  const views = plan.nodes.flatMap((planned) => {
    const node = loaded.parsed.nodes.get(planned.uniqueId)!;
    const view = environmentRelation(settings, node, environment);
    const main = { planned, view, table: planned.table };
    // A JSON seed's rejects table is read beside it: the environment has a view of it too, repointed with it.
    if (node.resourceType !== 'seed' || !hasRejects(node)) return [main];
    return [main, { planned, view: rejectsRelation(view, MAX_IDENTIFIER_LENGTH), table: rejectsRelation(planned.table, MAX_IDENTIFIER_LENGTH), companion: true }];
  });
  const schemas = [...new Set(views.map(({ view }) => view.schema))];
  const existingSchemas = new Set(await connection.introspector.listSchemas());
  for (const schema of schemas.filter((name) => !existingSchemas.has(name))) await connection.query(`create schema ${quoteIdentifier(schema)}`);
  const existing = new Map((await connection.introspector.listRelations(schemas)).map((relation) => [relationKey(relation), relation]));
  // A view is replaced when it is missing or its node's table changes; a new version reusing the same table keeps it.
  const previousTable = (planned: PlannedNode) => (planned.previousFingerprint === undefined || plan.basedOn ? undefined : versions.get(planned.previousFingerprint)?.relation);
  const stale = (planned: PlannedNode, view: Relation, table: Relation) =>
    existing.get(relationKey(view))?.kind !== 'view' || (planned.action !== 'keep' && previousTable(planned) !== quoteRelation(table));
  const replaced = views.filter(({ planned, view, table }) => stale(planned, view, table));
  const foreign = replaced.filter(({ view }) => {
    const kind = existing.get(relationKey(view))?.kind;
    return kind !== undefined && kind !== 'view';
  });
  if (foreign.length > 0) {
    throw new TsdbtError('usage', `environment '${environment}' would replace ${foreign.map(({ view }) => quoteRelation(view)).join(', ')}, which tsdbt did not make as environment views`, {
      hint: 'these relations were built in place, before virtual_environments was set: drop them (their data is rebuilt as versions), or choose another default_environment',
    });
  }
  const removedViews = plan.removed
    .flatMap((removed) => [...existing.values()].filter((relation) => quoteRelation(relation) === removed.view))
    .flatMap((view) => [view, existing.get(relationKey(rejectsRelation(view, MAX_IDENTIFIER_LENGTH)))].filter((relation): relation is CatalogRelation => relation !== undefined));
  const dropped = [...replaced.map(({ view }) => view).filter((view) => existing.has(relationKey(view))), ...removedViews];
  if (dropped.length > 0) await connection.query(`lock table ${dropped.map(quoteRelation).join(', ')} in access exclusive mode nowait`);
  // A user's own view over an environment view goes with the drop (it follows by OID); it is recreated on the new one.
  const dependents: DependentView[] = [];
  for (const view of dropped) {
    dependents.push(...(await connection.introspector.dependentViews(view)));
    await connection.query(`drop view ${quoteRelation(view)} cascade`);
  }
  const run = async (c: Connection, statement: string) => ({ rowCount: (await c.query(statement)).rowCount ?? null });
  for (const { planned, view, table } of replaced) {
    await connection.query(connection.dialect.sql.createView(quoteRelation(view), `select * from ${quoteRelation(table)}`, {}));
    // Readers query the view (which reads the table with its owner's rights): the model's grants are the view's.
    const grants = loaded.parsed.nodes.get(planned.uniqueId)!.config.grants;
    if (grants) await applyGrants({ run }, connection, quoteRelation(view), grants);
  }
  const failures: string[] = [];
  await restoreViews({ relation: `environment '${environment}'`, run, warn: (message) => failures.push(message) }, connection, dependents);
  if (failures.length > 0) throw new TsdbtError('runtime', `promotion of environment '${environment}' rolled back: ${failures.join('; ')}`);
  await forgetEnvironmentViews(connection, environment, plan.removed.map((removed) => removed.uniqueId));
  await writeEnvironmentViews(
    connection,
    views.filter((view) => !('companion' in view)).map(({ planned, view }) => ({ relation: quoteRelation(view), environment, unique_id: planned.uniqueId, fingerprint: planned.fingerprint })),
  );
  // Stamps used_at: the janitor's retention of a version counts from the last promotion that used it.
  await writeVersions(connection, plan.nodes.map((planned) => versions.get(planned.fingerprint)!));
  return replaced.filter((view) => !('companion' in view)).length + plan.removed.length;
}
