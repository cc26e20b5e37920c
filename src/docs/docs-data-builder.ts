import { quoteRelation } from '../adapters/sql.js';
import type { RunResultsFile } from '../artifacts/run-results.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import type { GraphNode, SourceNode } from '../core/nodes.js';
import { sourceConfig } from '../graph/selection/index.js';
import { columnKey } from '../lineage/column-key.js';
import type { ProjectLineage } from '../lineage/types.js';
import { isEphemeral } from '../materializations/registry.js';
import type { LoadedProject } from '../parser/load-project.js';
import { OVERVIEW_DOC } from '../parser/docs-blocks.js';
import { TSDBT_VERSION } from '../version.js';
import { catalogEntryOf } from './catalog.js';
import type { CatalogEntry } from '../core/catalog.js';
import type { DocsColumn, DocsData, DocsNode, DocsRun, DocsVersion } from './docs-data.js';

/** The virtual environment documented: its name, and the version each of its views shows, by node unique id. */
export interface DocsEnvironment {
  name: string;
  versions: ReadonlyMap<string, DocsVersion>;
}

export interface DocsInput {
  loaded: LoadedProject;
  /** Rendered SQL per unique_id, for the nodes that have one. */
  compiled: Map<string, string>;
  catalog: Map<string, CatalogEntry>;
  lineage: ProjectLineage;
  runResults?: RunResultsFile;
  generatedAt: string;
  /** In a project with virtual environments (`loaded` then names each node by the environment's view). */
  environment?: DocsEnvironment;
}

/** The project as the docs site shows it: every node and source with its catalog entry, the last run, the lineage. */
export function buildDocsData({ loaded, compiled, catalog, lineage, runResults, generatedAt, environment }: DocsInput): DocsData {
  const { parsed, graph, project } = loaded;
  const testsByColumn = columnTests(parsed.nodes.values());
  const neighbours = (id: string) => ({
    parents: [...(graph.graph.predecessors(id) ?? [])].sort(),
    children: [...(graph.graph.successors(id) ?? [])].sort(),
  });
  const nodes: DocsNode[] = [];
  for (const node of parsed.nodes.values()) {
    const entry = hasRelation(node) ? catalogEntryOf(catalog, node.relation) : undefined;
    const version = environment?.versions.get(node.uniqueId);
    nodes.push({
      uniqueId: node.uniqueId,
      name: node.name,
      resourceType: node.resourceType,
      materialized: node.config.materialized,
      ...(node.resourceType === 'model' && { language: node.language ?? 'sql' }),
      ...(hasRelation(node) && { relation: quoteRelation(node.relation), schema: node.relation.schema }),
      path: node.originalFilePath,
      fqn: node.fqn,
      packageName: node.packageName,
      ...('test' in node && node.test.testName !== undefined && { testName: node.test.testName }),
      description: node.description,
      tags: node.config.tags ?? [],
      config: node.config,
      columns: columnsOf(node.uniqueId, node.columns, entry, testsByColumn),
      rawCode: node.rawCode,
      ...(compiled.has(node.uniqueId) && { compiledCode: compiled.get(node.uniqueId) }),
      ...neighbours(node.uniqueId),
      ...attachment(node),
      ...(version && { version }),
      ...(entry && { stats: { relationType: entry.relationType, rowEstimate: entry.rowEstimate, bytes: entry.bytes } }),
    });
  }
  for (const source of parsed.sources.values()) nodes.push(sourceNode(source, catalogEntryOf(catalog, source.relation), testsByColumn, neighbours(source.uniqueId)));
  return {
    projectName: project.name,
    tsdbtVersion: TSDBT_VERSION,
    generatedAt,
    ...(environment && { environment: environment.name }),
    ...(parsed.docs.has(OVERVIEW_DOC) && { overview: parsed.docs.get(OVERVIEW_DOC)!.contents }),
    nodes,
    ...(runResults && { lastRun: lastRun(runResults) }),
    lineage,
  };
}

/** Tests and ephemeral models have no relation of their own. */
export function hasRelation(node: GraphNode): boolean {
  return RESOURCE_KINDS[node.resourceType].createsRelation === 'always' && !isEphemeral(node);
}

function attachment(node: GraphNode): { attachedNode?: string } {
  return 'test' in node && node.test.attachedNode ? { attachedNode: node.test.attachedNode } : {};
}

/** The data tests declared on each column, by node and column name. */
function columnTests(nodes: Iterable<GraphNode>): Map<string, string[]> {
  const tests = new Map<string, string[]>();
  for (const node of nodes) {
    const { attachedNode, columnName } = 'test' in node ? node.test : {};
    if (!attachedNode || !columnName) continue;
    const key = columnKey({ node: attachedNode, column: columnName });
    tests.set(key, [...(tests.get(key) ?? []), node.uniqueId]);
  }
  return tests;
}

/**
 * The relation's columns in the database's order with their real types, then the declared columns it lacks (a model
 * not built yet, an ephemeral one); descriptions and tests come from the property files.
 */
function columnsOf(
  uniqueId: string,
  declared: Record<string, { name: string; description: string; dataType?: string }>,
  entry: CatalogEntry | undefined,
  tests: Map<string, string[]>,
): DocsColumn[] {
  const byName = new Map(Object.values(declared).map((column) => [column.name, column]));
  const column = (name: string, type: string | undefined): DocsColumn => ({
    name,
    ...(type !== undefined && { type }),
    description: byName.get(name)?.description ?? '',
    tests: tests.get(columnKey({ node: uniqueId, column: name })) ?? [],
  });
  const fromCatalog = (entry?.columns ?? []).map((c) => column(c.name, c.type));
  const seen = new Set(fromCatalog.map((c) => c.name));
  const onlyDeclared = [...byName.values()].filter((c) => !seen.has(c.name)).map((c) => column(c.name, c.dataType));
  return [...fromCatalog, ...onlyDeclared];
}

function sourceNode(source: SourceNode, entry: CatalogEntry | undefined, tests: Map<string, string[]>, neighbours: { parents: string[]; children: string[] }): DocsNode {
  return {
    uniqueId: source.uniqueId,
    name: `${source.sourceName}.${source.name}`,
    resourceType: 'source',
    relation: quoteRelation(source.relation),
    schema: source.relation.schema,
    path: source.originalFilePath,
    fqn: source.fqn,
    packageName: source.packageName,
    source: { name: source.sourceName, table: source.name },
    description: source.description,
    tags: source.tags,
    config: sourceConfig(source),
    columns: columnsOf(source.uniqueId, source.columns, entry, tests),
    rawCode: '',
    ...neighbours,
    ...(entry && { stats: { relationType: entry.relationType, rowEstimate: entry.rowEstimate, bytes: entry.bytes } }),
  };
}

function lastRun(file: RunResultsFile): DocsRun {
  return {
    ...(file.args.command && { command: file.args.command }),
    generatedAt: file.metadata.generated_at,
    elapsedTime: file.elapsed_time,
    results: file.results.map((result) => {
      const execute = result.timing.find((t) => t.name === 'execute');
      return {
        uniqueId: result.unique_id,
        status: result.status,
        threadId: result.thread_id,
        ...(execute?.started_at && { startedAt: execute.started_at }),
        ...(execute?.completed_at && { completedAt: execute.completed_at }),
        executionTime: result.execution_time,
        message: result.message,
      };
    }),
  };
}
