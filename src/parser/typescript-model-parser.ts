import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsdbtError } from '../core/errors.js';
import type { RefCall, SourceCall, SourceLocation } from '../core/nodes.js';
import { isEphemeral } from '../materializations/registry.js';
import { scanDependencies } from '../typescript-models/dependency-scan.js';
import { loadTypescriptModel } from '../typescript-models/model-module.js';
import { LineIndex } from '../util/line-index.js';
import { addModel, validateInFileConfig, type ParsedProject } from './project-parser.js';

/** A model file found under a model path. */
export interface ModelFile {
  modelPath: string;
  file: string;
  name: string;
}

const CONFIG_EXPORT = /^[ \t]*export\s+const\s+config\b/m;

/**
 * `models/**\/*.ts`: each is bundled and imported (its `export const config` is the in-file config), its dependencies
 * are its literal ref()/source() calls plus `config.depends_on`, then it becomes a node like a SQL model.
 */
export async function parseTypescriptModels(parsed: ParsedProject, files: ModelFile[], cacheDir: string): Promise<void> {
  const loaded = await Promise.all(files.map(({ file }) => loadTypescriptModel(parsed.project.root, file, cacheDir)));
  files.forEach((modelFile, i) => {
    const { file, name } = modelFile;
    const model = loaded[i]!;
    const rawCode = readFileSync(join(parsed.project.root, file), 'utf8');
    const configAt = locateConfigExport(rawCode);
    if (model.config !== undefined && (typeof model.config !== 'object' || model.config === null || Array.isArray(model.config))) {
      throw new TsdbtError('compile', `the config exported by ${file} is not an object`, { location: { file, ...configAt }, source: rawCode });
    }
    const inFile = model.config === undefined ? [] : [validateInFileConfig(model.config, file, rawCode, configAt.line)];
    const { refs, sources } = scanDependencies(rawCode);
    const node = addModel(parsed, { ...modelFile, rawCode, refs, sources, inFile, language: 'typescript' });
    if (!node) return;
    if (isEphemeral(node)) {
      throw new TsdbtError('config', `TypeScript model '${name}' cannot be ephemeral: only SQL can be inlined into its consumers`, {
        location: { file },
        hint: 'materialize it as a view, table or incremental',
      });
    }
    const declared = dependsOn(node.config.depends_on ?? [], configAt);
    node.refs.push(...declared.refs);
    node.sources.push(...declared.sources);
    parsed.typescriptModels.set(node.uniqueId, model);
  });
}

/**
 * `config.depends_on`: model or seed names, and `source:name.table` for sources. What the code reads through
 * ref()/source() with computed arguments must be declared here, so the graph knows it.
 */
function dependsOn(entries: string[], loc: SourceLocation): { refs: RefCall[]; sources: SourceCall[] } {
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  for (const entry of entries) {
    const source = /^source:([^.]+)\.(.+)$/.exec(entry);
    if (source) sources.push({ source: source[1]!, table: source[2]!, loc });
    else refs.push({ name: entry, loc });
  }
  return { refs, sources };
}

/** Where `export const config` is, for errors about the config; the top of the file without one. */
function locateConfigExport(code: string): SourceLocation {
  const match = CONFIG_EXPORT.exec(code);
  if (!match) return { line: 1, column: 1 };
  return new LineIndex(code).positionOf(match.index + match[0].length - match[0].trimStart().length);
}
