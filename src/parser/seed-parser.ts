import { statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { mergeConfigs } from '../config/node-config.js';
import { didYouMean, TsdbtError } from '../errors.js';
import type { GraphNode, SeedFormat, SeedSource } from '../graph/nodes.js';
import { globToRegExp } from '../util/glob.js';
import type { ModelPatch } from './property-files.js';
import type { ParsedProject } from './project-parser.js';
import { schemaName } from './schema-name.js';

const FORMAT_BY_EXTENSION: Record<string, SeedFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };

/**
 * Seeds: every CSV, JSON or NDJSON file under seed-paths is a seed named after the file; a property file entry with a
 * `glob` declares a folder of files as one seed (files it matches are not seeds of their own).
 */
export function parseSeeds(parsed: ParsedProject, patches: Map<string, ModelPatch>, filesByPath: Map<string, string[]>): void {
  const { project } = parsed;
  const used = new Set<string>();
  // Folder seeds first, once each, under the seed path whose files their glob matches (the first one if none yet).
  const claimed = new Set<string>();
  for (const patch of patches.values()) {
    const glob = patch.config.glob;
    if (!glob) continue;
    const pattern = globToRegExp(glob);
    const paths = [...filesByPath.keys()];
    const root = paths.find((seedPath) => filesByPath.get(seedPath)!.some((file) => pattern.test(file.slice(seedPath.length + 1)))) ?? paths[0];
    if (root === undefined) continue;
    for (const file of filesByPath.get(root)!) if (pattern.test(file.slice(root.length + 1))) claimed.add(file);
    const format = patch.config.format ?? FORMAT_BY_EXTENSION[extname(glob)];
    if (format !== 'json' && format !== 'ndjson') {
      throw new TsdbtError('config', `folder seed '${patch.name}' needs format: json or ndjson (got ${format ?? 'none'})`, {
        location: { file: patch.file, line: patch.line },
        hint: 'a folder of CSV files is not a seed; declare each CSV as its own seed',
      });
    }
    used.add(patch.name);
    addSeed(parsed, { kind: 'folder', format, root, glob }, patch.name, [project.name, patch.name], patch.file, patch);
  }
  for (const [seedPath, files] of filesByPath) {
    for (const file of files) {
      const format = FORMAT_BY_EXTENSION[extname(file)];
      if (!format || claimed.has(file)) continue;
      const name = basename(file, extname(file));
      const patch = patches.get(name);
      if (patch) used.add(name);
      const folders = file.slice(seedPath.length + 1).split('/').slice(0, -1);
      addSeed(parsed, { kind: 'file', format: patch?.config.format ?? format, file }, name, [project.name, ...folders, name], file, patch);
    }
  }
  for (const patch of patches.values()) {
    if (!used.has(patch.name)) {
      throw new TsdbtError('config', `seed '${patch.name}' is described in ${patch.file} but there is no such seed file`, {
        location: { file: patch.file, line: patch.line },
        hint: didYouMean(patch.name, [...parsed.nodes.values()].filter((n) => n.resourceType === 'seed').map((n) => n.name)) ?? 'a folder seed needs config: {glob: ...}',
      });
    }
  }
}

function addSeed(parsed: ParsedProject, source: SeedSource, name: string, fqn: string[], originalFilePath: string, patch: ModelPatch | undefined): void {
  const { project, env, target } = parsed;
  const uniqueId = `seed.${project.name}.${name}`;
  const clash = [...parsed.nodes.values()].find((node) => node.name === name);
  if (clash) {
    throw new TsdbtError('config', `seed '${name}' (${originalFilePath}) has the same name as ${clash.resourceType} ${clash.originalFilePath}`, {
      location: { file: originalFilePath },
      hint: 'refs find nodes by name: rename one of them',
    });
  }
  const config = mergeConfigs({ materialized: 'seed' }, [...project.configFor('seeds', fqn), ...(patch ? [patch.config] : [])]);
  if (!config.enabled) {
    parsed.disabled.add(name);
    return;
  }
  const schema = schemaName(env, target, config.schema, { name, resource_type: 'seed' });
  const node: GraphNode = {
    uniqueId,
    resourceType: 'seed',
    name,
    packageName: project.name,
    originalFilePath,
    fqn,
    rawCode: '',
    checksum: seedChecksum(project.root, source, config),
    config,
    description: patch?.description ?? '',
    columns: patch?.columns ?? {},
    refs: [],
    sources: [],
    dependsOn: [],
    relation: { schema, identifier: config.alias ?? name },
    patchPath: patch?.file,
    seed: source,
  };
  parsed.nodes.set(uniqueId, node);
}

/** A file's size and mtime stand for its content (state:modified without reading large files); a folder's glob for it. */
function seedChecksum(root: string, source: SeedSource, config: object): string {
  const hash = createHash('sha256').update(JSON.stringify(config));
  if (source.kind === 'file') {
    const stat = statSync(join(root, source.file));
    hash.update(`${source.file}:${stat.size}:${stat.mtimeMs}`);
  } else hash.update(`${source.root}/${source.glob}`);
  return hash.digest('hex');
}
