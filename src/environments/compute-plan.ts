import type { Adapter, Connection } from '../adapters/adapter.js';
import { relationKey } from '../adapters/introspector.js';
import type { VirtualEnvironmentSettings } from '../config/project.js';
import type { GraphNode, Relation } from '../core/nodes.js';
import { computeLineage } from '../lineage/compute-lineage.js';
import { loadSqlParser } from '../lineage/sql-parser.js';
import { createRelationIndex, type IndexedRelation } from '../lineage/relation-index.js';
import type { LoadedProject } from '../parser/load-project.js';
import { Compiler } from '../templating/compiler.js';
import { fingerprints, isVersioned, nodeLogic, type NodeLogic } from './fingerprint.js';
import { physicalRelation } from './naming.js';
import type { Plan } from './plan.js';
import { backfillRangeOf, planEnvironment } from './planner.js';
import { ensureEnvironmentState, readEnvironmentViews, readVersions, type VersionRow } from './state.js';

/** A plan and what applying it needs: each versioned node's logic and fingerprint, the versions it compared with. */
export interface EnvironmentPlan {
  plan: Plan;
  logic: Map<string, NodeLogic>;
  fingerprints: Map<string, string>;
  versions: Map<string, VersionRow>;
}

export interface PlanRequest {
  loaded: LoadedProject;
  adapter: Adapter;
  settings: VirtualEnvironmentSettings;
  environment: string;
  range?: Plan['range'];
}

/**
 * Compiles every versioned node over its logical relations (the names the default environment's views have, so a
 * fingerprint is the same in every environment), fingerprints them, computes their column lineage and compares them
 * with what the environment has (state tables in tsdbt_meta).
 */
export async function computeEnvironmentPlan(request: PlanRequest): Promise<EnvironmentPlan> {
  const { loaded, adapter, settings } = request;
  await loadSqlParser();
  const order = loaded.graph.order.filter((id) => {
    const node = loaded.parsed.nodes.get(id);
    return node !== undefined && isVersioned(node);
  });
  const compiler = new Compiler(loaded.parsed, loaded.graph);
  const read = (work: (connection: Connection) => Promise<void>) => adapter.withConnection(work);
  const logic = new Map<string, NodeLogic>();
  const models: Array<{ uniqueId: string; sql: string }> = [];
  for (const id of order) {
    const node = loaded.parsed.nodes.get(id)!;
    const sql = compiledLogic(node) ? (await compiler.compile(id, {}, read)).sql : undefined;
    if (sql !== undefined && node.resourceType === 'model') models.push({ uniqueId: id, sql });
    logic.set(id, nodeLogic(node, loaded.graph.nodes, sql));
  }
  const fingerprintOf = fingerprints(order, logic, (id) => backfillRangeOf(loaded.parsed.nodes.get(id)!, request.range));
  const { current, basedOn, versions, sourceColumns } = await adapter.withConnection(async (connection) => {
    await ensureEnvironmentState(connection);
    // Another project's nodes in the same database and environment are not this project's to remove.
    const own = async (environment: string) => (await readEnvironmentViews(connection, environment)).filter((row) => row.unique_id.split('.')[1] === loaded.project.name);
    // A new environment starts as a copy of the default one: its plan shows what differs from there.
    let rows = await own(request.environment);
    const basedOn = rows.length === 0 && request.environment !== settings.defaultEnvironment ? settings.defaultEnvironment : undefined;
    if (basedOn) rows = await own(basedOn);
    const current = new Map(rows.map((row) => [row.unique_id, row]));
    const versions = await readVersions(connection, [...new Set([...[...current.values()].map((row) => row.fingerprint), ...fingerprintOf.values()])]);
    const sources = [...loaded.parsed.sources.values()].map((source) => source.relation);
    const catalog = await connection.introspector.describeRelations(sources);
    return { current, basedOn, versions, sourceColumns: (relation: Relation) => catalog.get(relationKey(relation))?.columns.map((column) => column.name) };
  });
  // Columns a model's SQL does not give (seeds, snapshots, TypeScript models): those of the version it will have, or has.
  const versionColumns = (id: string): string[] | undefined => {
    const version = versions.get(fingerprintOf.get(id)!) ?? versions.get(current.get(id)?.fingerprint ?? '');
    return version?.columns ? (JSON.parse(version.columns) as string[]) : undefined;
  };
  const relations: IndexedRelation[] = [
    ...order.map((id) => ({ uniqueId: id, ...loaded.parsed.nodes.get(id)!.relation, columns: versionColumns(id) })),
    ...[...loaded.parsed.sources.values()].map((source) => ({ uniqueId: source.uniqueId, ...source.relation, columns: sourceColumns(source.relation) })),
  ];
  const lineage = await computeLineage(models, createRelationIndex(relations, loaded.resolved.target.schema));
  const plan = planEnvironment({
    environment: request.environment,
    order,
    nodes: loaded.parsed.nodes,
    logic,
    fingerprints: fingerprintOf,
    lineage,
    current,
    versions,
    physicalTable: (node, tableFingerprint) => physicalRelation(settings, node.relation, tableFingerprint, adapter.capabilities.maxIdentifierLength),
    range: request.range,
  });
  if (basedOn) plan.basedOn = basedOn;
  return { plan, logic, fingerprints: fingerprintOf, versions };
}

/** SQL models and snapshots are fingerprinted by their compiled SQL; seeds and TypeScript models by their file. */
function compiledLogic(node: GraphNode): boolean {
  return (node.resourceType === 'model' && node.language !== 'typescript') || node.resourceType === 'snapshot';
}
