import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { didYouMean, TsdbtError } from '../core/errors.js';
import { nodeConfigKeys, partialNodeConfig, type PartialNodeConfig } from '../core/node-config.js';
import { readYamlFile, validateYaml, type YamlFile } from './yaml-file.js';
import { strictObject } from '../core/strict-object.js';

export const PROJECT_FILE = 'tsdbt_project.yml';
/** dbt's, read as it is when there is no tsdbt_project.yml: a dbt project runs without a rename. */
export const DBT_PROJECT_FILE = 'dbt_project.yml';

/**
 * Keys of dbt's project file that tsdbt has no use for, accepted in either file so a dbt project reads as it is; each
 * is named in a note, with why it changes nothing.
 */
const DBT_ONLY_KEYS: Record<string, string> = {
  'require-dbt-version': 'tsdbt does not run dbt',
  quoting: 'tsdbt quotes every identifier',
  'query-comment': 'tsdbt adds no comment to queries',
  dispatch: 'tsdbt has no macro packages to dispatch to',
  'packages-install-path': 'tsdbt installs no packages',
  'log-path': 'tsdbt logs to the terminal (--log-format json for lines of JSON)',
  'asset-paths': 'the docs site copies no assets',
  flags: 'tsdbt takes its flags on the command line',
  'restrict-access': 'tsdbt has no model groups',
  'dbt-cloud': 'dbt Cloud settings',
  sources: "source configs in the project file are not read; write them in the property file's sources",
  exposures: 'tsdbt has no exposures',
  metrics: 'tsdbt has no semantic layer',
  'semantic-models': 'tsdbt has no semantic layer',
  'saved-queries': 'tsdbt has no semantic layer',
  unit_tests: "unit test configs in the project file are not read; write them in the unit test's config",
  functions: 'tsdbt has no user-defined functions',
  'function-paths': 'tsdbt has no user-defined functions',
};

const paths = (fallback: string[]) => z.array(z.string()).default(fallback);
const hooks = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((value) => (Array.isArray(value) ? value : [value]));
const configTree = z.record(z.string(), z.unknown()).default({});

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** A retention written with its unit: `12h`, `7d`, `1.5d`. */
export const RETENTION_TEXT = /^\d+(\.\d+)?\s*[hd]$/;

/** A retention as the project file (or `tsdbt janitor --retention`) gives it, a number of days or RETENTION_TEXT, in hours. */
export function retentionHours(retention: number | string): number {
  return typeof retention === 'number' ? retention * 24 : Number.parseFloat(retention) * (retention.trim().endsWith('h') ? 1 : 24);
}
/** `virtual_environments:` true, or its settings (src/environments/README.md). */
const virtualEnvironments = z.union([
  z.boolean(),
  strictObject({
    enabled: z.boolean().default(true),
    /** Where every version of every model's data lives. */
    physical_schema: z.string().regex(IDENTIFIER, 'a schema name is lower-case letters, digits and underscores').default('tsdbt_physical'),
    /** The schema of an environment's views: `{schema}` is the node's schema, `{env}` the environment. */
    environment_schema: z
      .string()
      .refine((value) => value.includes('{schema}') && value.includes('{env}'), 'the environment schema must contain {schema} and {env}')
      .default('{schema}__{env}'),
    /** The environment whose views are in the nodes' own schemas, and the one `--env` defaults to. */
    default_environment: z.string().regex(IDENTIFIER, 'an environment name is lower-case letters, digits and underscores').default('prod'),
    /** How long `tsdbt janitor` keeps a physical table no environment uses: a number of days, or `12h`, `7d`. */
    retention: z.union([z.number().nonnegative(), z.string().regex(RETENTION_TEXT, 'a retention is a number of days, or hours or days such as 12h or 7d')]).default('7d'),
  }),
]);

const projectSchema = strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a project name is letters, digits and underscores'),
  version: z.union([z.string(), z.number()]).optional(),
  'config-version': z.number().optional(),
  profile: z.string().optional(),
  'model-paths': paths(['models']),
  'seed-paths': paths(['seeds']),
  'macro-paths': paths(['macros']),
  'test-paths': paths(['tests']),
  'snapshot-paths': paths(['snapshots']),
  'analysis-paths': paths(['analyses']),
  /** Where `{% docs %}` blocks are read; dbt's default is every resource path. */
  'docs-paths': z.array(z.string()).optional(),
  'target-path': z.string().default('target'),
  'clean-targets': z.array(z.string()).optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
  'on-run-start': hooks,
  'on-run-end': hooks,
  models: configTree,
  seeds: configTree,
  snapshots: configTree,
  tests: configTree,
  /** dbt 1.8's name of `tests:`. */
  data_tests: configTree,
  virtual_environments: virtualEnvironments.optional(),
  ...Object.fromEntries(Object.keys(DBT_ONLY_KEYS).map((key) => [key, z.unknown().optional()])),
});

/** The keys a project file may hold. */
export const PROJECT_FILE_KEYS: ReadonlySet<string> = new Set(Object.keys(projectSchema.shape));

export type ResourceTreeKey = 'models' | 'seeds' | 'snapshots' | 'tests';

export interface Project {
  root: string;
  name: string;
  profile?: string;
  modelPaths: string[];
  seedPaths: string[];
  macroPaths: string[];
  testPaths: string[];
  snapshotPaths: string[];
  /** The folders whose `.md` files are read for `{% docs %}` blocks. */
  docsPaths: string[];
  targetPath: string;
  cleanTargets: string[];
  vars: Record<string, unknown>;
  /** SQL templates run before and after every run, build, seed and snapshot. */
  onRunStart: string[];
  onRunEnd: string[];
  file: YamlFile;
  /** What a user of dbt should know of how the file was read: dbt's file read, dbt's keys ignored. */
  notes: string[];
  /** Set when the project opts in to virtual environments (`virtual_environments:`). */
  virtualEnvironments?: VirtualEnvironmentSettings;
  /** Config layers from the project file for a node of `resource` with this fqn, most general first. */
  configFor(resource: ResourceTreeKey, fqn: string[]): PartialNodeConfig[];
}

/** Virtual environments, as the project file sets them. */
export interface VirtualEnvironmentSettings {
  physicalSchema: string;
  /** `{schema}__{env}`: the schema of a non-default environment's views. */
  environmentSchema: string;
  defaultEnvironment: string;
  retentionHours: number;
}

function virtualEnvironmentSettings(value: z.infer<typeof virtualEnvironments> | undefined): VirtualEnvironmentSettings | undefined {
  if (value === undefined || value === false) return undefined;
  const settings = value === true ? virtualEnvironments.options[1].parse({}) : value;
  if (!settings.enabled) return undefined;
  return {
    physicalSchema: settings.physical_schema,
    environmentSchema: settings.environment_schema,
    defaultEnvironment: settings.default_environment,
    retentionHours: retentionHours(settings.retention),
  };
}

export function loadProject(projectDir: string): Project {
  const root = resolve(projectDir);
  const fileName = [PROJECT_FILE, DBT_PROJECT_FILE].find((name) => existsSync(join(root, name)));
  if (!fileName) {
    throw new TsdbtError('usage', `no ${PROJECT_FILE} in ${root}`, {
      hint: `run tsdbt from a project folder (with a ${PROJECT_FILE}, or dbt's ${DBT_PROJECT_FILE}), pass --project-dir, or create a project with \`tsdbt init NAME\``,
    });
  }
  const file = readYamlFile(join(root, fileName), fileName);
  const parsed = validateYaml(file, projectSchema);
  const trees = {} as Record<ResourceTreeKey, ConfigTree>;
  for (const key of ['models', 'seeds', 'snapshots'] as const) trees[key] = parseConfigTree(file, parsed[key], [key]);
  const testsKey = Object.keys(parsed.data_tests).length > 0 ? 'data_tests' : 'tests';
  trees.tests = parseConfigTree(file, parsed[testsKey], [testsKey]);
  const resourcePaths = [parsed['model-paths'], parsed['seed-paths'], parsed['snapshot-paths'], parsed['macro-paths'], parsed['test-paths'], parsed['analysis-paths']].flat();
  return {
    root,
    name: parsed.name,
    profile: parsed.profile,
    modelPaths: parsed['model-paths'],
    seedPaths: parsed['seed-paths'],
    macroPaths: parsed['macro-paths'],
    testPaths: parsed['test-paths'],
    snapshotPaths: parsed['snapshot-paths'],
    docsPaths: parsed['docs-paths'] ?? [...new Set(resourcePaths)],
    targetPath: parsed['target-path'],
    cleanTargets: parsed['clean-targets'] ?? [parsed['target-path']],
    vars: parsed.vars,
    onRunStart: parsed['on-run-start'],
    onRunEnd: parsed['on-run-end'],
    file,
    notes: projectNotes(file, fileName),
    virtualEnvironments: virtualEnvironmentSettings(parsed.virtual_environments),
    configFor: (resource, fqn) => collectLayers(trees[resource], fqn),
  };
}

function projectNotes(file: YamlFile, fileName: string): string[] {
  const notes = fileName === DBT_PROJECT_FILE ? [`reading dbt's ${DBT_PROJECT_FILE}, as there is no ${PROJECT_FILE}`] : [];
  const written = Object.keys(file.data as Record<string, unknown>).filter((key) => key in DBT_ONLY_KEYS);
  for (const key of written) notes.push(`${fileName}:${file.locate([key]).line ?? 1}: '${key}' is dbt's and changes nothing here: ${DBT_ONLY_KEYS[key]}`);
  return notes;
}

/** A level of a `models:` tree: its own config, and sub-levels by folder (or node) name. */
interface ConfigTree {
  config: PartialNodeConfig;
  children: Map<string, ConfigTree>;
}

function parseConfigTree(file: YamlFile, value: unknown, at: string[]): ConfigTree {
  const config: Record<string, unknown> = {};
  const children = new Map<string, ConfigTree>();
  for (const [key, child] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    const configKey = key.startsWith('+') ? key.slice(1) : nodeConfigKeys.has(key) ? key : undefined;
    if (configKey !== undefined) {
      if (!nodeConfigKeys.has(configKey)) {
        throw new TsdbtError('config', `unknown config key '${key}' at ${[...at, key].join('.')}`, {
          location: file.locate([...at, key]),
          hint: didYouMean(configKey, nodeConfigKeys) ?? `known config keys: ${[...nodeConfigKeys].join(', ')}`,
          source: file.text,
        });
      }
      config[configKey] = child;
    } else if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
      children.set(key, parseConfigTree(file, child, [...at, key]));
    } else {
      throw new TsdbtError('config', `'${key}' at ${at.join('.')} is neither a folder (a mapping) nor a config key`, {
        location: file.locate([...at, key]),
        hint: didYouMean(key, nodeConfigKeys) ?? 'config keys are written with a leading +, such as +materialized: table',
        source: file.text,
      });
    }
  }
  const validated = validateYaml(file, partialNodeConfig, at, config);
  return { config: validated, children };
}

function collectLayers(tree: ConfigTree, fqn: string[]): PartialNodeConfig[] {
  const layers: PartialNodeConfig[] = [tree.config];
  let level: ConfigTree | undefined = tree;
  for (const part of fqn) {
    level = level.children.get(part);
    if (!level) break;
    layers.push(level.config);
  }
  return layers;
}
