import { statSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import { mergeConfigs } from '../core/node-config.js';
import { didYouMean, TsdbtError } from '../core/errors.js';
import type { GraphNode, SeedFormat, SeedSource } from '../core/nodes.js';
import { JSON_SEED_SHARD_COLUMNS } from '../loaders/json-seed-table.js';
import { validateDistribution } from '../materializations/distribution.js';
import { toPosix } from '../util/files.js';
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
    const configured = folderRoot(parsed, patch);
    const root = configured?.root ?? paths.find((seedPath) => filesByPath.get(seedPath)!.some((file) => pattern.test(file.slice(seedPath.length + 1)))) ?? paths[0];
    if (root === undefined) continue;
    // Files of seed paths under the root, or under the root its vars give by default (a committed sample, when --vars
    // points the seed elsewhere), are this seed's: they are not seeds of their own.
    for (const base of new Set([root, configured?.defaultRoot ?? root])) {
      for (const file of [...filesByPath.values()].flat()) if (file.startsWith(`${base}/`) && pattern.test(file.slice(base.length + 1))) claimed.add(file);
    }
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
  validateSeedDistributions(parsed);
  for (const patch of patches.values()) {
    if (!used.has(patch.name)) {
      throw new TsdbtError('config', `seed '${patch.name}' is described in ${patch.file} but there is no such seed file`, {
        location: { file: patch.file, line: patch.line },
        hint: didYouMean(patch.name, [...parsed.nodes.values()].filter((n) => n.resourceType === 'seed').map((n) => n.name)) ?? 'a folder seed needs config: {glob: ...}',
      });
    }
  }
}

/**
 * Seeds read nothing, so a seed colocates with another seed, which is loaded first (addSeed makes it the seed's
 * parent); a JSON seed is sharded by a column its rejects table has too.
 */
function validateSeedDistributions(parsed: ParsedProject): void {
  const seeds = [...parsed.nodes.values()].filter((node) => node.resourceType === 'seed');
  const names = new Set(seeds.map((seed) => seed.name));
  for (const seed of seeds) {
    const colocation = {
      names: new Set([...names].filter((name) => name !== seed.name)),
      described: 'another seed',
      hint: () => 'a seed is colocated with another seed (loaded before it), or with none',
    };
    validateDistribution(seed, colocation, seed.seed.format === 'csv' ? undefined : JSON_SEED_SHARD_COLUMNS);
  }
}

const rootTemplates = Handlebars.create();

/**
 * A folder seed's `root` (project file or property file), relative to the project root or absolute, as a
 * project-relative path (so `_file` stays relative and stable), rendered with `{{var}}` (and its default alone);
 * a root that is not a folder is a config error at the seed's entry.
 */
function folderRoot(parsed: ParsedProject, patch: ModelPatch): { root: string; defaultRoot: string | undefined } | undefined {
  const { project } = parsed;
  const written = mergeConfigs({ materialized: 'seed' }, [...project.configFor('seeds', [project.name, patch.name]), patch.config]).root;
  if (written === undefined) return undefined;
  const location = { file: patch.file, line: patch.line };
  const render = (vars: Record<string, unknown>): string => {
    let missing: string | undefined;
    const helpers = {
      var: (name: unknown, ...rest: unknown[]) => {
        const fallback = rest.length > 1 ? rest[0] : undefined;
        if (Object.hasOwn(vars, String(name))) return String(vars[String(name)]);
        if (fallback !== undefined) return String(fallback);
        missing = String(name);
        return '';
      },
    };
    let text: string;
    try {
      text = rootTemplates.compile(written, { noEscape: true, strict: false })({}, { helpers });
    } catch (error) {
      throw new TsdbtError('config', `folder seed '${patch.name}': root '${written}' is not a valid template (${(error as Error).message.split('\n')[0]})`, { location });
    }
    if (missing !== undefined) {
      throw new TsdbtError('config', `folder seed '${patch.name}': var '${missing}' in its root is not set`, {
        location,
        hint: `pass --vars '{${missing}: path/to/folder}', set it under vars: in tsdbt_project.yml, or give a default: {{var "${missing}" "seeds/..."}}`,
      });
    }
    return toPosix(relative(project.root, resolve(project.root, text.trim())));
  };
  const root = render(parsed.vars);
  const absolute = resolve(project.root, root);
  let isFolder = false;
  try {
    isFolder = statSync(absolute).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder || root === '') {
    throw new TsdbtError('config', `folder seed '${patch.name}': root '${root || '.'}' (${absolute}) is not a folder`, {
      location,
      hint: root === '' ? 'the root must be a folder below or beside the project, not the project itself' : 'point it at the folder that holds the files, relative to the project root or absolute',
    });
  }
  let defaultRoot: string | undefined;
  try {
    defaultRoot = render({});
  } catch {
    defaultRoot = undefined;
  }
  return { root, defaultRoot };
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
    // The seed it is colocated with must exist first: a parent, as a ref would make it.
    refs: config.colocate_with === undefined || config.colocate_with === 'none' ? [] : [{ name: config.colocate_with, loc: { line: patch?.line ?? 1, column: 1 } }],
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
