import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Adapter } from '../adapters/adapter.js';
import { dialectOf } from '../adapters/registry.js';
import { writeCatalog } from '../artifacts/catalog.js';
import type { ArtifactMetadata } from '../artifacts/manifest.js';
import { compiledFileOf, type ArtifactPaths } from '../artifacts/paths.js';
import { readRunResults, type RunResultsFile } from '../artifacts/run-results.js';
import type { Relation } from '../core/nodes.js';
import { isEphemeral } from '../materializations/registry.js';
import type { LoadedProject } from '../parser/load-project.js';
import { computeLineage } from '../lineage/compute-lineage.js';
import { createRelationIndex, type IndexedRelation } from '../lineage/relation-index.js';
import type { ProjectLineage } from '../lineage/types.js';
import { writeFileAtomic } from '../util/files.js';
import { catalogEntryOf } from './catalog.js';
import type { CatalogEntry } from '../core/catalog.js';
import { buildDocsData, hasRelation, type DocsEnvironment } from './docs-data-builder.js';
import type { DocsData } from './docs-data.js';
import { docsDataScript, docsSiteFiles } from './site-files.js';

/** What the docs read of a command's session (the CLI's `Session` has more). */
export interface DocsSession {
  loaded: LoadedProject;
  paths: ArtifactPaths;
  metadata: ArtifactMetadata;
}

/** A node or source that has a relation in the database. */
interface RelationSubject {
  uniqueId: string;
  resourceType: string;
  relation: Relation;
}

export interface GeneratedDocs {
  docsDir: string;
  nodes: number;
  relationsFound: number;
  lineageModels: number;
}

/** Every node and source with a relation of its own (not tests, not ephemeral models). */
function relationSubjects(session: DocsSession): RelationSubject[] {
  const { parsed } = session.loaded;
  const subjects: RelationSubject[] = [];
  for (const node of parsed.nodes.values()) {
    if (!hasRelation(node)) continue;
    subjects.push({ uniqueId: node.uniqueId, resourceType: node.resourceType, relation: node.relation });
  }
  for (const source of parsed.sources.values()) subjects.push({ uniqueId: source.uniqueId, resourceType: 'source', relation: source.relation });
  return subjects;
}

/**
 * The SQL of every model lineage can read: what `compile` renders, and for TypeScript models the query their last run
 * wrote to target/compiled/ (their SQL exists only when they run).
 */
function lineageModels(session: DocsSession, compiled: Map<string, string>): Array<{ uniqueId: string; sql: string }> {
  const models: Array<{ uniqueId: string; sql: string }> = [];
  for (const node of session.loaded.parsed.nodes.values()) {
    if (node.resourceType !== 'model' || isEphemeral(node)) continue;
    const sql = compiled.get(node.uniqueId) ?? readRunCompiled(session, compiledFileOf(node));
    if (sql !== undefined) models.push({ uniqueId: node.uniqueId, sql });
  }
  return models;
}

function readRunCompiled(session: DocsSession, file: string): string | undefined {
  const path = session.paths.absolute(session.paths.compiledRelative(file));
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function lastRunResults(session: DocsSession): RunResultsFile | undefined {
  try {
    return readRunResults(session.paths);
  } catch {
    // A run_results.json another tool left half-written only costs the docs their last-run view.
    return undefined;
  }
}

/**
 * `tsdbt docs generate`: reads the catalog of every relation the project has (one query for the relations, one for
 * their columns), computes column lineage from the compiled SQL, and writes target/catalog.json,
 * target/lineage.json and the static site in target/docs/ (its data in data.js, so it also works from file://).
 * With virtual environments, `session.loaded` names the nodes by `environment`'s views.
 */
export async function generateDocs(session: DocsSession, adapter: Adapter, compiled: Map<string, string>, environment?: DocsEnvironment): Promise<GeneratedDocs> {
  const { subjects, catalog, lineage } = await readProjectLineage(session, adapter, compiled);
  writeCatalog(session.paths, session.metadata, databaseName(session), subjects.map((s) => ({ ...s, entry: catalogEntryOf(catalog, s.relation) })));
  writeFileAtomic(session.paths.file('lineage.json'), JSON.stringify(lineage));
  const data = buildDocsData({ loaded: session.loaded, compiled, catalog, lineage, runResults: lastRunResults(session), generatedAt: session.metadata.generatedAt, environment });
  const docsDir = session.paths.folder('docs');
  writeSite(docsDir, data);
  return { docsDir, nodes: data.nodes.length, relationsFound: catalog.size, lineageModels: Object.keys(lineage).length };
}

/** The catalog of the project's relations, and the column lineage of its models over it (`tsdbt lineage` too). */
export async function readProjectLineage(session: DocsSession, adapter: Adapter, compiled: Map<string, string>): Promise<{ subjects: RelationSubject[]; catalog: Map<string, CatalogEntry>; lineage: ProjectLineage }> {
  const subjects = relationSubjects(session);
  const catalog = await adapter.withConnection((connection) => connection.introspector.describeRelations(subjects.map((s) => s.relation)));
  return { subjects, catalog, lineage: await computeProjectLineage(session, subjects, catalog, compiled) };
}

function computeProjectLineage(session: DocsSession, subjects: RelationSubject[], catalog: Map<string, CatalogEntry>, compiled: Map<string, string>): Promise<ProjectLineage> {
  const relations: IndexedRelation[] = subjects.map(({ uniqueId, relation }) => ({
    uniqueId,
    schema: relation.schema,
    identifier: relation.identifier,
    columns: catalogEntryOf(catalog, relation)?.columns.map((column) => column.name),
  }));
  return computeLineage(lineageModels(session, compiled), createRelationIndex(relations, session.loaded.resolved.target.schema));
}

/** What catalog.json names the database, as the target's dialect says. */
function databaseName(session: DocsSession): string {
  const { target } = session.loaded.resolved;
  return dialectOf(target).profile.databaseName(target);
}

/** A fresh folder each time, so a file the site no longer has does not linger. */
function writeSite(docsDir: string, data: DocsData): void {
  rmSync(docsDir, { recursive: true, force: true });
  for (const file of [...docsSiteFiles(), { path: 'data.js', content: docsDataScript(data) }]) {
    const path = join(docsDir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, file.content);
  }
}
