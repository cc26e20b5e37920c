import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { didYouMean, TsdbtError } from '../core/errors.js';
import { nodeConfigKeys, partialNodeConfig, type PartialNodeConfig } from '../core/node-config.js';
import { readYamlFile, validateYaml, type YamlFile } from './yaml-file.js';
import { strictObject } from '../core/strict-object.js';

export const PROJECT_FILE = 'tsdbt_project.yml';

const paths = (fallback: string[]) => z.array(z.string()).default(fallback);
const hooks = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((value) => (Array.isArray(value) ? value : [value]));
const configTree = z.record(z.string(), z.unknown()).default({});

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
  'target-path': z.string().default('target'),
  'clean-targets': z.array(z.string()).optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
  'on-run-start': hooks,
  'on-run-end': hooks,
  models: configTree,
  seeds: configTree,
  snapshots: configTree,
  tests: configTree,
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
  targetPath: string;
  cleanTargets: string[];
  vars: Record<string, unknown>;
  /** SQL templates run before and after every run, build, seed and snapshot. */
  onRunStart: string[];
  onRunEnd: string[];
  file: YamlFile;
  /** Config layers from the project file for a node of `resource` with this fqn, most general first. */
  configFor(resource: ResourceTreeKey, fqn: string[]): PartialNodeConfig[];
}

export function loadProject(projectDir: string): Project {
  const root = resolve(projectDir);
  const path = join(root, PROJECT_FILE);
  if (!existsSync(path)) {
    throw new TsdbtError('usage', `no ${PROJECT_FILE} in ${root}`, {
      hint: 'run tsdbt from a project folder, pass --project-dir, or create a project with `tsdbt init NAME`',
    });
  }
  const file = readYamlFile(path, PROJECT_FILE);
  const parsed = validateYaml(file, projectSchema);
  const trees = {} as Record<ResourceTreeKey, ConfigTree>;
  for (const key of ['models', 'seeds', 'snapshots', 'tests'] as const) trees[key] = parseConfigTree(file, parsed[key], [key]);
  return {
    root,
    name: parsed.name,
    profile: parsed.profile,
    modelPaths: parsed['model-paths'],
    seedPaths: parsed['seed-paths'],
    macroPaths: parsed['macro-paths'],
    testPaths: parsed['test-paths'],
    snapshotPaths: parsed['snapshot-paths'],
    targetPath: parsed['target-path'],
    cleanTargets: parsed['clean-targets'] ?? [parsed['target-path']],
    vars: parsed.vars,
    onRunStart: parsed['on-run-start'],
    onRunEnd: parsed['on-run-end'],
    file,
    configFor: (resource, fqn) => collectLayers(trees[resource], fqn),
  };
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
