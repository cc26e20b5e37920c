import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { mergeConfigs } from '../core/node-config.js';
import { didYouMean, TsdbtError, type ErrorLocation } from '../core/errors.js';
import type { GraphNode, SnapshotSpec } from '../core/nodes.js';
import { validateDistribution } from '../materializations/distribution.js';
import type { NodeConfig } from '../core/node-config.js';
import { filterByExtension } from '../util/files.js';
import { parseRelationCall } from './relation-call.js';
import { recordTemplate, type ParsedProject, type RecordedTemplate } from './project-parser.js';
import type { ModelPatch } from './property-files.js';
import { schemaName } from './schema-name.js';
import { fileNodeFields } from './node-fields.js';

/** What a snapshot is made of, whichever way it was declared. */
interface SnapshotDeclaration {
  name: string;
  /** The `.sql` file, or the property file of a YAML snapshot. */
  file: string;
  rawCode: string;
  fqn: string[];
  patch?: ModelPatch;
  recorded: RecordedTemplate;
  /** Where errors about the merged config point, and the text for their code frame. */
  configAt: ErrorLocation;
  configSource?: string;
}

/**
 * Snapshots: every `.sql` file under snapshot-paths is a snapshot named after the file; a property file entry under
 * `snapshots:` with a `relation` declares one that selects * from it (dbt 1.9+); an entry without one describes a file.
 */
export function parseSnapshots(parsed: ParsedProject, filesByPath: Map<string, string[]>): void {
  const { project } = parsed;
  const patches = parsed.properties.snapshots;
  for (const [snapshotPath, files] of filesByPath) {
    for (const file of filterByExtension(files, ['.sql'])) {
      const name = basename(file, '.sql');
      const patch = patches.get(name);
      if (patch?.relation) {
        throw new TsdbtError('config', `snapshot '${name}' is declared twice: by ${file} and by its relation in ${patch.file}`, {
          location: { file: patch.file, line: patch.relation.line, column: patch.relation.column },
          hint: 'remove the relation: to describe the file, or rename one of them',
        });
      }
      const rawCode = readFileSync(join(project.root, file), 'utf8');
      const recorded = recordTemplate(parsed, file, rawCode, name);
      const folders = file.slice(snapshotPath.length + 1).split('/').slice(0, -1);
      const configAt = recorded.configLine !== undefined ? { file, line: recorded.configLine } : patch ? { file: patch.file, line: patch.line } : { file, line: 1 };
      addSnapshot(parsed, { name, file, rawCode, fqn: [project.name, ...folders, name], patch, recorded, configAt, configSource: recorded.configLine !== undefined ? rawCode : undefined });
    }
  }
  const fileSnapshots = new Set([...filesByPath.values()].flatMap((files) => filterByExtension(files, ['.sql']).map((file) => basename(file, '.sql'))));
  for (const patch of patches.values()) {
    if (patch.relation) addSnapshot(parsed, yamlSnapshot(parsed, patch, patch.relation));
    else if (!fileSnapshots.has(patch.name)) {
      throw new TsdbtError('config', `snapshot '${patch.name}' is described in ${patch.file} but there is no such snapshot file, and no relation`, {
        location: { file: patch.file, line: patch.line },
        hint: didYouMean(patch.name, fileSnapshots) ?? "declare it with relation: ref('model') or relation: source('source', 'table')",
      });
    }
  }
}

/** A YAML snapshot is `select * from` its relation. */
function yamlSnapshot(parsed: ParsedProject, patch: ModelPatch, relation: NonNullable<ModelPatch['relation']>): SnapshotDeclaration {
  const at = { file: patch.file, line: relation.line, column: relation.column };
  const call = parseRelationCall(relation.text);
  if (!call) {
    throw new TsdbtError('config', `snapshot '${patch.name}': relation '${relation.text}' is neither ref('model') nor source('source', 'table')`, {
      location: at,
      hint: "write relation: ref('orders') or relation: source('raw', 'orders')",
    });
  }
  const names = call.kind === 'ref' ? [call.name] : [call.source, call.table];
  const rawCode = `select * from {{${call.kind} ${names.map((name) => JSON.stringify(name)).join(' ')}}}`;
  const recorded = recordTemplate(parsed, patch.file, rawCode, patch.name);
  // Unknown refs and sources are reported by the graph at the relation in the property file, not in generated SQL.
  const loc = { line: relation.line ?? 1, column: relation.column ?? 1 };
  recorded.refs = recorded.refs.map((ref) => ({ ...ref, loc }));
  recorded.sources = recorded.sources.map((source) => ({ ...source, loc }));
  const root = [...parsed.project.snapshotPaths, ...parsed.project.modelPaths, ...parsed.project.seedPaths].find((dir) => patch.file.startsWith(`${dir}/`));
  const folders = root === undefined ? [] : patch.file.slice(root.length + 1).split('/').slice(0, -1);
  return { name: patch.name, file: patch.file, rawCode, fqn: [parsed.project.name, ...folders, patch.name], patch, recorded, configAt: { file: patch.file, line: patch.line } };
}

function addSnapshot(parsed: ParsedProject, declaration: SnapshotDeclaration): void {
  const { project, env, target } = parsed;
  const { name, file, rawCode, fqn, patch, recorded } = declaration;
  const clash = [...parsed.nodes.values()].find((node) => node.name === name);
  if (clash) {
    throw new TsdbtError('config', `snapshot '${name}' (${file}) has the same name as ${clash.resourceType} ${clash.originalFilePath}`, {
      location: patch?.file === file ? { file, line: patch.line } : { file },
      hint: 'refs find nodes by name: rename one of them',
    });
  }
  const config = mergeConfigs({ materialized: 'snapshot' }, [...project.configFor('snapshots', fqn), ...(patch ? [patch.config] : []), ...recorded.inFile]);
  if (!config.enabled) {
    parsed.disabled.add(name);
    return;
  }
  const snapshot = snapshotSpec(config, name, declaration);
  // target_schema is dbt's legacy setting, used verbatim; schema goes through generate_schema_name as for models.
  const schema = typeof config.target_schema === 'string' ? config.target_schema : schemaName(env, target, config.schema, { name, resource_type: 'snapshot' });
  const uniqueId = `snapshot.${project.name}.${name}`;
  parsed.templates.set(uniqueId, recorded.template);
  const node: GraphNode = {
    uniqueId,
    resourceType: 'snapshot',
    name,
    ...fileNodeFields(project.name, file, rawCode, fqn, config, patch),
    refs: recorded.refs,
    sources: recorded.sources,
    relation: { schema, identifier: config.alias ?? name },
    snapshot,
  };
  parsed.nodes.set(uniqueId, node);
  // Its unique_key must hold the distribution column, which a snapshot then never updates (only dbt_valid_to).
  validateDistribution(node);
}

/** The merged config, checked once here so the runner never meets a snapshot it cannot build. */
function snapshotSpec(config: NodeConfig, name: string, declaration: SnapshotDeclaration): SnapshotSpec {
  const { unique_key, strategy, updated_at, check_cols, hard_deletes, invalidate_hard_deletes } = config;
  const fail = (message: string, hint: string) =>
    new TsdbtError('config', `snapshot '${name}' ${message}`, { location: declaration.configAt, hint, source: declaration.configSource });
  // In-file config values are strings: a composite key is written unique_key="a,b" there, a list elsewhere.
  const uniqueKey = (Array.isArray(unique_key) ? unique_key : (unique_key ?? '').split(',')).map((key) => key.trim()).filter((key) => key.length > 0);
  if (uniqueKey.length === 0) throw fail('needs a unique_key', 'the column, or list of columns, that identifies a row: {{config unique_key="id"}}');
  const hardDeletes = hard_deletes ?? (invalidate_hard_deletes ? 'invalidate' : 'ignore');
  if (hardDeletes === 'new_record') throw fail("sets hard_deletes: new_record, which tsdbt does not support yet", "use 'invalidate' to close the rows of vanished keys, or 'ignore'");
  if (strategy === 'timestamp') {
    if (!updated_at) throw fail('uses the timestamp strategy and needs updated_at', 'name the column that says when a row last changed: updated_at="updated_at"');
    return { uniqueKey, strategy: { kind: 'timestamp', updatedAt: updated_at }, hardDeletes };
  }
  if (strategy === 'check') {
    if (check_cols === undefined || check_cols.length === 0) throw fail('uses the check strategy and needs check_cols', 'list the columns whose change makes a new version, or check_cols="all"');
    return { uniqueKey, strategy: { kind: 'check', columns: check_cols }, hardDeletes };
  }
  throw fail('needs a strategy', 'strategy="timestamp" with updated_at="column", or strategy="check" with check_cols');
}
