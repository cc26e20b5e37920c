import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { PROJECT_FILE_KEYS } from '../../config/project.js';
import { nodeConfigKeys } from '../../core/node-config.js';
import { LineIndex } from '../../util/line-index.js';
import type { ConstantValue } from './constant-values.js';
import { constructText, type ImportIssue } from './import-report.js';
import { TemplateTranslator, type ImportContext } from './translator.js';

/** What the importer needs of a dbt project file: its name and where its files are. */
export interface DbtProject {
  name: string;
  modelPaths: string[];
  seedPaths: string[];
  macroPaths: string[];
  snapshotPaths: string[];
  testPaths: string[];
  analysisPaths: string[];
}

/** A config value an in-file `config()` could not hold (a mapping), for the project file's tree at a node's path. */
export interface MovedConfig {
  resource: 'models' | 'snapshots';
  /** The node's fqn below the project: its folders and its name. */
  path: string[];
  config: Record<string, ConstantValue>;
}

export interface ProjectFileConversion {
  text: string;
  left: ImportIssue[];
  notes: ImportIssue[];
}

export const DBT_PROJECT_FILE = 'dbt_project.yml';

/** dbt settings that do not change what a project builds, so tsdbt can go without them. */
const DROPPED_WITH_A_NOTE: Record<string, string> = {
  'require-dbt-version': 'the dbt versions this project runs on; tsdbt does not check it',
  'docs-paths': "tsdbt's docs read the model paths",
  'asset-paths': 'tsdbt does not copy assets into its docs site',
  'log-path': 'tsdbt writes no log files',
  'packages-install-path': 'tsdbt installs no packages',
  'query-comment': 'tsdbt does not comment its queries',
  flags: "dbt's behaviour flags do not apply to tsdbt",
  'dbt-cloud': 'dbt Cloud settings',
};
/** Config values tsdbt renders as templates; Jinja in any other value of the project file is not rendered by tsdbt. */
const TEMPLATED_CONFIG = new Set(['pre_hook', 'post_hook', 'pre-hook', 'post-hook', 'root']);
const CONFIG_TREES = new Set(['models', 'seeds', 'snapshots', 'tests']);
/** dbt 1.8 names the tests tree `data_tests`; tsdbt `tests`. */
const RENAMED: Record<string, string> = { data_tests: 'tests' };

export function readDbtProject(text: string): DbtProject {
  const parsed = (parseDocument(text).toJS() ?? {}) as Record<string, unknown>;
  const paths = (key: string, fallback: string) => {
    const value = parsed[key];
    return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [fallback];
  };
  return {
    name: String(parsed.name ?? 'imported'),
    modelPaths: paths('model-paths', 'models'),
    seedPaths: paths('seed-paths', 'seeds'),
    macroPaths: paths('macro-paths', 'macros'),
    snapshotPaths: paths('snapshot-paths', 'snapshots'),
    testPaths: paths('test-paths', 'tests'),
    analysisPaths: paths('analysis-paths', 'analyses'),
  };
}

/**
 * `dbt_project.yml` as `tsdbt_project.yml`: the same keys and config trees (comments kept), Jinja in hooks and
 * config values translated, dbt-only settings dropped with a note, unknown config keys left out and reported.
 */
export function convertProjectFile(text: string, context: ImportContext, moved: MovedConfig[]): ProjectFileConversion {
  const doc = parseDocument(text);
  const lines = new LineIndex(text);
  const left: ImportIssue[] = [];
  const notes: ImportIssue[] = [];
  const at = (node: YamlNode | null | undefined, construct: string, reason: string): ImportIssue => {
    const { line, column } = lines.positionOf(node?.range?.[0] ?? 0);
    return { file: DBT_PROJECT_FILE, line, column, construct: constructText(construct), reason };
  };
  const root = doc.contents;
  if (!isMap(root)) return { text, left: [at(root, 'dbt_project.yml', 'the project file is not a mapping')], notes };
  for (const pair of [...root.items]) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const keyNode = pair.key as YamlNode;
    const dropReason = DROPPED_WITH_A_NOTE[key];
    if (dropReason) {
      notes.push(at(keyNode, key, `dropped: ${dropReason}`));
      root.delete(pair.key);
      continue;
    }
    const renamed = RENAMED[key];
    if (renamed) {
      (pair as Pair<YamlNode, unknown>).key = doc.createNode(renamed) as YamlNode;
      notes.push(at(keyNode, key, `renamed to ${renamed}`));
    }
    const name = renamed ?? key;
    if (!PROJECT_FILE_KEYS.has(name)) {
      left.push(at(keyNode, key, `'${key}' has no equivalent in tsdbt_project.yml: left out`));
      root.delete(pair.key);
      continue;
    }
    if (CONFIG_TREES.has(name)) convertTree(pair.value as YamlNode, [name]);
    else if (name === 'on-run-start' || name === 'on-run-end') translateStrings(pair.value as YamlNode);
  }
  for (const { resource, path, config } of moved) {
    for (const [key, value] of Object.entries(config)) doc.setIn([resource, context.projectName, ...path, `+${key}`], doc.createNode(value));
  }
  return { text: doc.toString({ lineWidth: 0 }), left, notes };

  function convertTree(node: YamlNode | null, path: string[]): void {
    if (!isMap(node)) return;
    for (const pair of [...(node as YAMLMap).items]) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const value = pair.value as YamlNode | null;
      const configKey = key.startsWith('+') ? key.slice(1) : nodeConfigKeys.has(key) && !isMap(value) ? key : undefined;
      if (configKey === undefined) {
        convertTree(value, [...path, key]);
        continue;
      }
      if (!nodeConfigKeys.has(configKey)) {
        left.push(at(pair.key as YamlNode, `${key}: ...`, `config key '${configKey}' at ${[...path, key].join('.')} is not known to tsdbt: left out`));
        node.delete(pair.key);
        continue;
      }
      if (TEMPLATED_CONFIG.has(configKey)) translateStrings(value);
      else if (isScalar(value) && typeof value.value === 'string' && /\{[{%]/.test(value.value)) {
        left.push(at(value, `${key}: ${value.value}`, `tsdbt does not render templates in the project file's '${configKey}' (only in hooks and a seed's root): set the value itself`));
      }
    }
  }

  /** Jinja in a string value (a hook, a schema from env_var) becomes Handlebars, each string where it is. */
  function translateStrings(node: YamlNode | null): void {
    if (isSeq(node)) node.items.forEach((item) => translateStrings(item as YamlNode));
    if (!isScalar(node) || typeof node.value !== 'string' || !/\{[{%#]/.test(node.value)) return;
    const line = lines.positionOf(node.range?.[0] ?? 0).line;
    const translation = TemplateTranslator.translateTemplate(context, DBT_PROJECT_FILE, node.value, line - 1);
    left.push(...translation.left);
    node.value = translation.text;
  }
}
