import { basename, extname } from 'node:path';
import { mergeConfigs, partialNodeConfig, type PartialNodeConfig } from '../core/node-config.js';
import type { Project } from '../config/project.js';
import { validateYaml } from '../config/yaml-file.js';
import { didYouMean, TsdbtError } from '../core/errors.js';
import type { GraphNode, ModelLanguage, RefCall, SourceCall, SourceNode } from '../core/nodes.js';
import { materializations } from '../materializations/registry.js';
import type { ModelTemplate, TemplateEnvironment } from '../templating/environment.js';
import { recordEnvReads } from '../config/env-var.js';
import type { CompilerInput } from '../templating/compiler.js';
import { TemplateStore } from '../templating/template-store.js';
import { TemplateScope, type RenderHooks, type TargetScope } from '../templating/render-hooks.js';
import type { TypescriptModel } from '../typescript-models/model-module.js';
import { readTextFiles, statFiles } from '../util/file-worker.js';
import { filterByExtension, joinPlain, walkFiles } from '../util/files.js';
import { validateDistribution } from '../materializations/distribution.js';
import { resolveForeignKeys, validateContract } from './contracts.js';
import { PROPERTY_FILE_EXTENSIONS, readPropertyFiles, type PropertyFiles } from './property-files.js';
import { readDocBlocks, type DocBlocks } from './docs-blocks.js';
import { resolveVariable } from '../templating/variables.js';
import { schemaName } from './schema-name.js';
import { parseSeeds } from './seed-parser.js';
import { parseSnapshots } from './snapshot-parser.js';
import { parseTests } from './test-parser.js';
import { parseTypescriptModels, type ModelFile } from './typescript-model-parser.js';
import { parseUnitTests } from './unit-test-parser.js';
import { fileNodeFields } from './node-fields.js';
import { ParseCache, parseCacheKey, type CachedModel } from './parse-cache.js';

/** What parsing gives: what the compiler renders from, and what the parse alone knows. */
export interface ParsedProject extends CompilerInput {
  project: Project;
  /** Enabled nodes by unique id. */
  nodes: Map<string, GraphNode>;
  sources: Map<string, SourceNode>;
  /** TypeScript models' loaded code, by unique id. */
  typescriptModels: Map<string, TypescriptModel>;
  /** Names of disabled models, so a ref to one says so instead of "not found". */
  disabled: Set<string>;
  properties: PropertyFiles;
  /** The `{% docs %}` blocks of the `.md` files under docs-paths, by name. */
  docs: DocBlocks;
}

export interface ParseOptions {
  project: Project;
  env: TemplateEnvironment;
  target: TargetScope;
  /** --vars, already parsed; they win over the project's vars. */
  cliVars: Record<string, unknown>;
  /** Where TypeScript models are bundled. */
  cacheDir: string;
  /** The partial parse cache's file; undefined: parse every file. */
  parseCachePath?: string;
}

export interface ParseResult {
  parsed: ParsedProject;
  /** Save it once the project proved whole (its graph built). */
  parseCache: ParseCache;
}

const MODEL_EXTENSIONS = ['.sql', '.ts'];

export async function parseProject({ project, env, target, cliVars, cacheDir, parseCachePath }: ParseOptions): Promise<ParseResult> {
  const vars = { ...project.vars, ...cliVars };
  // Each folder is walked once; property files may sit beside models, seeds or snapshots.
  const files = new Map(project.modelPaths.map((dir) => [dir, walkFiles(project.root, dir)]));
  const seedFiles = new Map(project.seedPaths.map((dir) => [dir, files.get(dir) ?? walkFiles(project.root, dir)]));
  const snapshotFiles = new Map(project.snapshotPaths.map((dir) => [dir, files.get(dir) ?? seedFiles.get(dir) ?? walkFiles(project.root, dir)]));
  const modelFiles = project.modelPaths.flatMap((modelPath) =>
    filterByExtension(files.get(modelPath)!, MODEL_EXTENSIONS)
      .filter((file) => !file.endsWith('.d.ts'))
      .map((file) => ({ modelPath, file })),
  );
  const sqlFiles = modelFiles.filter(({ file }) => file.endsWith('.sql'));
  // Stat'ed (on a large project, by the worker thread) while the property files are read and the cache opened.
  const stats = parseCachePath === undefined ? undefined : statFiles(sqlFiles.map(({ file }) => joinPlain(project.root, file)));
  // Awaited below; a property file's error may come first, and must not leave this one unhandled.
  stats?.catch(() => undefined);
  const propertyFiles = [...new Set([...files.values(), ...seedFiles.values(), ...snapshotFiles.values()].flatMap((list) => filterByExtension(list, PROPERTY_FILE_EXTENSIONS)))].sort();
  const walked = (dir: string) => files.get(dir) ?? seedFiles.get(dir) ?? snapshotFiles.get(dir) ?? walkFiles(project.root, dir);
  const docsFiles = project.docsPaths.flatMap((dir) => filterByExtension(walked(dir), ['.md']));
  const docs = readDocBlocks(project.root, [...new Set(docsFiles)]);
  const properties = readPropertyFiles(project.root, propertyFiles, { target, vars }, docs);
  const parsed: ParsedProject = { project, env, target, vars, nodes: new Map(), sources: new Map(), templates: new TemplateStore(env), typescriptModels: new Map(), disabled: new Set(), properties, docs };
  const parseCache = ParseCache.open(
    parseCachePath,
    parseCachePath === undefined ? '' : parseCacheKey({ projectText: project.file.text, target, vars, properties: [properties.raw, [...docs.values()]], macros: env.macros, root: project.root }),
  );
  for (const table of properties.sources) {
    const uniqueId = `source.${project.name}.${table.sourceName}.${table.name}`;
    if (parsed.sources.has(uniqueId)) {
      throw new TsdbtError('config', `source table '${table.sourceName}.${table.name}' is declared twice`, { location: { file: table.file } });
    }
    parsed.sources.set(uniqueId, {
      uniqueId,
      resourceType: 'source',
      sourceName: table.sourceName,
      name: table.name,
      packageName: project.name,
      originalFilePath: table.file,
      fqn: [project.name, table.sourceName, table.name],
      description: table.description,
      loadedAtField: table.loadedAtField,
      freshness: table.freshness,
      columns: table.columns,
      relation: { schema: table.schema, identifier: table.identifier },
      tags: table.tags,
      meta: table.meta,
    });
  }
  const filesByName = new Map<string, string>();
  const typescriptFiles: ModelFile[] = [];
  // Files the cache answers for are not read; the others are read ahead (on a large project, in a worker thread)
  // while the models are parsed in order.
  const fileStats = await stats;
  const usableStats = sqlFiles.map((_, index) => fileStats && parseCache.usableStat(fileStats[index]!));
  const cached = parseCache.reuse(sqlFiles.map(({ file }) => file), usableStats);
  const sqlTexts = readTextFiles(sqlFiles.filter((_, index) => cached[index] === undefined).map(({ file }) => joinPlain(project.root, file)));
  let texts: string[] = [];
  let next = 0;
  // SQL files come in modelFiles' order: the n-th .sql file met is sqlFiles[n].
  let sqlIndex = 0;
  for (const { modelPath, file } of modelFiles) {
    const name = basename(file, extname(file));
    const previous = filesByName.get(name);
    if (previous) {
      throw new TsdbtError('config', `two models are named '${name}': ${previous} and ${file}`, {
        location: { file },
        hint: 'model names are unique across a project; rename one file',
      });
    }
    filesByName.set(name, file);
    if (file.endsWith('.ts')) {
      typescriptFiles.push({ modelPath, file, name });
      continue;
    }
    const at = sqlIndex++;
    const hit = cached[at];
    if (hit) {
      addCachedModel(parsed, name, hit);
      continue;
    }
    if (next === texts.length) {
      texts = (await sqlTexts.next()).value as string[];
      next = 0;
    }
    const rawCode = texts[next++]!;
    const { result: node, env: envRead } = recordEnvReads(() => parseModelFile(parsed, modelPath, file, name, rawCode));
    parseCache.record(file, usableStats[at], envRead, node, node ? parsed.templates.isStatic(node.uniqueId) : false);
  }
  // Only a project with TypeScript models loads the bundler.
  if (typescriptFiles.length > 0) await parseTypescriptModels(parsed, typescriptFiles, cacheDir);
  parseSeeds(parsed, properties.seeds, seedFiles);
  parseSnapshots(parsed, snapshotFiles);
  parseTests(parsed, new Map(project.testPaths.map((dir) => [dir, walkFiles(project.root, dir)])));
  parseUnitTests(parsed);
  resolveForeignKeys(parsed);
  return { parsed, parseCache };
}

function parseModelFile(parsed: ParsedProject, modelPath: string, file: string, name: string, rawCode: string): GraphNode | undefined {
  const { template, refs, sources, inFile } = recordTemplate(parsed, file, rawCode, name);
  const node = addModel(parsed, { modelPath, file, name, rawCode, refs, sources, inFile, language: 'sql' });
  if (node) parsed.templates.set(node.uniqueId, template);
  return node;
}

/** A model as the parse cache kept it: validated when it was parsed, its template compiled when first rendered. */
function addCachedModel(parsed: ParsedProject, name: string, { node, isStatic }: CachedModel): void {
  if (!node) {
    parsed.disabled.add(name);
    return;
  }
  parsed.nodes.set(node.uniqueId, node);
  parsed.templates.defer(node.uniqueId, node.rawCode, node.originalFilePath, isStatic);
}

/** What a model file says, whatever its language: its code, dependencies and in-file config. */
export interface ModelDefinition extends ModelFile {
  rawCode: string;
  refs: RefCall[];
  sources: SourceCall[];
  inFile: PartialNodeConfig[];
  language: ModelLanguage;
}

/** Resolves a model's config (project file < property file < in-file) and adds its node; undefined when disabled. */
export function addModel(parsed: ParsedProject, { modelPath, file, name, rawCode, refs, sources, inFile, language }: ModelDefinition): GraphNode | undefined {
  const { project, env, target } = parsed;
  const folders = file.slice(modelPath.length + 1).split('/').slice(0, -1);
  const fqn = [project.name, ...folders, name];
  const patch = parsed.properties.models.get(name);
  const config = mergeConfigs({ materialized: 'view' }, [
    ...project.configFor('models', fqn),
    ...(patch ? [patch.config] : []),
    ...inFile,
  ]);
  if (!config.enabled) {
    parsed.disabled.add(name);
    return undefined;
  }
  if (!materializations.has(config.materialized)) {
    throw new TsdbtError('config', `unknown materialization '${config.materialized}' for model '${name}'`, {
      location: { file },
      hint: didYouMean(config.materialized, materializations.names()) ?? `known: ${materializations.names().join(', ')}`,
    });
  }
  const uniqueId = `model.${project.name}.${name}`;
  const schema = schemaName(env, target, config.schema, { name, resource_type: 'model' });
  const node: GraphNode = {
    uniqueId,
    resourceType: 'model',
    language,
    name,
    ...fileNodeFields(project.name, file, rawCode, fqn, config, patch),
    constraints: patch?.constraints ?? [],
    refs,
    sources,
    relation: { schema, identifier: config.alias ?? name },
  };
  parsed.nodes.set(uniqueId, node);
  materializations.get(config.materialized).validate?.(node);
  validateContract(node, patch);
  validateDistribution(node);
  return node;
}

export interface RecordedTemplate {
  template: ModelTemplate;
  refs: RefCall[];
  sources: SourceCall[];
  /** Each `{{config}}` call, validated. */
  inFile: PartialNodeConfig[];
  /** Line of the last `{{config}}` call: where errors about the merged config point. */
  configLine?: number;
}

/** Compiles a node's template and renders it once with hooks that record its refs, sources and `config` calls. */
export function recordTemplate(parsed: ParsedProject, file: string, rawCode: string, name: string): RecordedTemplate {
  const template = parsed.env.compile(rawCode, file);
  const recording = recordingHooks(parsed, file, rawCode, name);
  template.render(recording.hooks);
  return { template, ...recording.recorded() };
}

/** Hooks that resolve nothing and record every ref, source and `config` call a render makes. */
export function recordingHooks(parsed: ParsedProject, file: string, rawCode: string, name: string) {
  const { target, vars } = parsed;
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  const inFile: PartialNodeConfig[] = [];
  let configLine: number | undefined;
  const placeholder = { schema: target.schema, identifier: name };
  const hooks: RenderHooks = {
    ref: (ref, loc) => {
      refs.push({ name: ref, loc });
      return ref;
    },
    source: (sourceName, table, loc) => {
      sources.push({ source: sourceName, table, loc });
      return `${sourceName}.${table}`;
    },
    config: (values, loc) => {
      configLine = loc.line;
      inFile.push(validateInFileConfig(values, file, rawCode, loc.line));
    },
    variable: (variable, fallback, loc) => resolveVariable(vars, variable, fallback, loc),
    // As in dbt, parsing sees the full-refresh form of an incremental model.
    isIncremental: () => false,
    scope: new TemplateScope(target, placeholder, name),
  };
  return { hooks, recorded: () => ({ refs, sources, inFile, configLine }) };
}

/**
 * Valid in-file configs by their JSON, when made only of strings, finite numbers and booleans (what a template's
 * `{{config}}` usually holds). A project repeats a few configs many times, and validating one costs more than the
 * rest of parsing its model. Callers get their own copy.
 */
const validInFileConfigs = new Map<string, PartialNodeConfig>();

function primitiveConfigKey(values: object): string | undefined {
  for (const value of Object.values(values)) {
    if (typeof value !== 'string' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) return undefined;
  }
  return JSON.stringify(values);
}

export function validateInFileConfig(values: object, file: string, source: string, line: number): PartialNodeConfig {
  const key = primitiveConfigKey(values);
  const known = key === undefined ? undefined : validInFileConfigs.get(key);
  if (known) return structuredClone(known);
  try {
    const config = validateYaml({ text: source, data: values, locate: () => ({ file, line }) }, partialNodeConfig);
    if (key !== undefined) validInFileConfigs.set(key, structuredClone(config));
    return config;
  } catch (error) {
    if (error instanceof TsdbtError) {
      throw new TsdbtError('compile', error.message.replace(' at the top level', ' in config()'), {
        location: { file, line },
        hint: error.hint,
        source,
      });
    }
    throw error;
  }
}
