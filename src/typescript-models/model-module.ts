import { SourceMap } from 'node:module';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsdbtError } from '../core/errors.js';
import { toPosix } from '../util/files.js';
import { importModule, type ImportedModule } from '../util/import-module.js';
import type { ModelContext } from './model-context.js';

/** A TypeScript model file, loaded: its default export, and where its code runs from, to locate its errors. */
export interface TypescriptModel {
  file: string;
  run: (context: ModelContext) => unknown;
  /** `export const config = {...}`, not validated yet. */
  config: unknown;
  module: ImportedModule;
}

export async function loadTypescriptModel(root: string, file: string, cacheDir: string): Promise<TypescriptModel> {
  const module = await importModule(root, file, cacheDir);
  const run = module.exports.default;
  if (typeof run !== 'function') {
    throw new TsdbtError('compile', `TypeScript model ${file} has no default export function`, {
      location: { file },
      hint: 'export default function (context) { return context.db.selectFrom(context.ref("orders")).selectAll(); }',
    });
  }
  return { file, run: run as TypescriptModel['run'], config: module.exports.config, module };
}

/**
 * Where in the project's sources `error` was thrown: the first frame of its stack in the model's bundle, mapped back
 * through the bundle's source map (the model file itself, or a file it imports). Frames in tsdbt are skipped.
 */
export function locateThrow(error: unknown, model: TypescriptModel, root: string): { file: string; line: number; column: number } | undefined {
  const { url, sourceMap } = model.module;
  const stack = (error as { stack?: unknown })?.stack;
  if (typeof stack !== 'string') return undefined;
  // Frames name the bundle by URL, or by path where a loader other than Node's ran it (vitest's).
  const at = new RegExp(`(?:${escapeRegExp(url)}|${escapeRegExp(fileURLToPath(url))}):(\\d+):(\\d+)`).exec(stack);
  if (!at) return undefined;
  const [line, column] = [Number(at[1]), Number(at[2])];
  if (!sourceMap) return { file: model.file, line, column };
  const entry = new SourceMap(sourceMap.payload).findEntry(line - 1, column - 1);
  if (!('originalSource' in entry)) return undefined;
  const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : resolve(sourceMap.dir, entry.originalSource);
  return { file: toPosix(relative(root, source)), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
