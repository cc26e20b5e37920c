import { createHash } from 'node:crypto';
import { quoteRelation } from '../adapters/sql.js';
import type { LoadedProject } from '../parser/load-project.js';
import { splitTestName } from '../parser/test-names.js';
import { writeFileAtomic } from '../util/files.js';
import { TSDBT_VERSION } from '../version.js';
import { compiledFileOf, type ArtifactPaths } from './paths.js';

export const MANIFEST_SCHEMA = 'https://tsdbt.dev/schemas/manifest/v1.json';

export interface ArtifactMetadata {
  invocationId: string;
  generatedAt: string;
  adapterType: string;
  /** In a project with virtual environments: the environment whose relations the artifacts name. */
  environment?: string;
}

/**
 * dbt's manifest shape (snake_case, unique ids, parent and child maps) so tools that read dbt's can read ours. In a
 * project with virtual environments, `loaded` names each node by its environment's view and `fingerprints` (unique id
 * → fingerprint) are the versions the environment's views show, where the command knows them.
 */
export function buildManifest(loaded: LoadedProject, paths: ArtifactPaths, metadata: ArtifactMetadata, fingerprints?: ReadonlyMap<string, string>): Record<string, unknown> {
  const { parsed, graph, project } = loaded;
  const nodes: Record<string, unknown> = {};
  // Each entry is built field by field, in dbt's order, not with spreads: on 10,000 nodes those cost more than the rest.
  for (const node of parsed.nodes.values()) {
    const entry: Record<string, unknown> = { unique_id: node.uniqueId, resource_type: node.resourceType };
    if (node.resourceType === 'model') entry.language = node.language ?? 'sql';
    if ('test' in node) {
      entry.attached_node = node.test.attachedNode ?? null;
      entry.column_name = node.test.columnName ?? null;
      if (node.test.testName) entry.test_metadata = { name: splitTestName(node.test.testName).name, kwargs: node.test.kwargs, namespace: node.test.namespace ?? null };
    }
    entry.name = node.name;
    entry.package_name = node.packageName;
    entry.path = node.originalFilePath.split('/').slice(1).join('/');
    entry.original_file_path = node.originalFilePath;
    entry.patch_path = node.patchPath ?? null;
    entry.fqn = node.fqn;
    entry.schema = node.relation.schema;
    entry.alias = node.relation.identifier;
    entry.relation_name = quoteRelation(node.relation);
    entry.checksum = { name: 'sha256', checksum: node.checksum };
    const fingerprint = fingerprints?.get(node.uniqueId);
    if (fingerprint !== undefined) entry.fingerprint = fingerprint;
    entry.config = node.config;
    entry.tags = node.config.tags;
    entry.description = node.description;
    entry.columns = Object.fromEntries(
      Object.values(node.columns).map((c) => [c.name, { name: c.name, description: c.description, data_type: c.dataType ?? null, meta: c.meta }]),
    );
    entry.depends_on = { nodes: node.dependsOn, macros: [] };
    entry.refs = node.refs.map((ref) => ({ name: ref.name }));
    entry.sources = node.sources.map((s) => [s.source, s.table]);
    entry.raw_code = node.rawCode;
    entry.compiled_path = paths.compiledRelative(compiledFileOf(node));
    entry.static_template = parsed.templates.isStatic(node.uniqueId);
    nodes[node.uniqueId] = entry;
  }
  const sources: Record<string, unknown> = {};
  for (const source of parsed.sources.values()) {
    sources[source.uniqueId] = {
      unique_id: source.uniqueId,
      resource_type: 'source',
      source_name: source.sourceName,
      name: source.name,
      package_name: source.packageName,
      original_file_path: source.originalFilePath,
      fqn: source.fqn,
      schema: source.relation.schema,
      identifier: source.relation.identifier,
      relation_name: quoteRelation(source.relation),
      description: source.description,
      loaded_at_field: source.loadedAtField ?? null,
      freshness: source.freshness ?? null,
      columns: source.columns,
      tags: source.tags,
      meta: source.meta,
    };
  }
  const macros: Record<string, unknown> = {};
  for (const [name, { file, source }] of parsed.env.macros.partials) {
    macros[`macro.${project.name}.${name}`] = { name, kind: 'partial', original_file_path: file, checksum: sha256(source) };
  }
  for (const [name, { file }] of parsed.env.macros.helpers) {
    macros[`macro.${project.name}.${name}`] = { name, kind: 'helper', original_file_path: file };
  }
  const docs: Record<string, unknown> = {};
  for (const block of parsed.docs.values()) {
    const uniqueId = `doc.${project.name}.${block.name}`;
    docs[uniqueId] = {
      name: block.name,
      resource_type: 'doc',
      package_name: project.name,
      path: block.file.split('/').slice(1).join('/'),
      original_file_path: block.file,
      unique_id: uniqueId,
      block_contents: block.contents,
    };
  }
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const id of graph.nodes.keys()) {
    parentMap[id] = [...(graph.graph.predecessors(id) ?? [])].sort();
    childMap[id] = [...(graph.graph.successors(id) ?? [])].sort();
  }
  return {
    metadata: {
      tsdbt_schema_version: MANIFEST_SCHEMA,
      tsdbt_version: TSDBT_VERSION,
      generated_at: metadata.generatedAt,
      invocation_id: metadata.invocationId,
      project_name: project.name,
      adapter_type: metadata.adapterType,
      ...(metadata.environment !== undefined && { environment: metadata.environment }),
    },
    nodes,
    sources,
    macros,
    docs,
    parent_map: parentMap,
    child_map: childMap,
  };
}

export function writeManifest(paths: ArtifactPaths, manifest: Record<string, unknown>): void {
  writeFileAtomic(paths.file('manifest.json'), JSON.stringify(manifest));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

