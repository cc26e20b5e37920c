/**
 * The folders of src/ are layers (src/README.md): each imports only folders below it, so no two folders import each
 * other, however indirectly, and core/ imports none. Every import counts: static, `import type`, re-exports and
 * dynamic `import()`. The files of src/ directly are one folder, `(root)`; src/docs/site is a separate bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const SEPARATE_BUNDLES = [join(SRC, 'docs', 'site')];

interface FolderImport {
  from: string;
  to: string;
  /** `file -> specifier`, relative to src/. */
  via: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SEPARATE_BUNDLES.includes(path) ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function folderOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length === 1 ? '(root)' : parts[0]!;
}

function folderImports(): FolderImport[] {
  return sourceFiles(SRC).flatMap((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return importedFiles
      .filter(({ fileName }) => fileName.startsWith('.'))
      .map(({ fileName }) => ({ from: folderOf(file), to: folderOf(resolve(dirname(file), fileName)), via: `${relative(SRC, file)} -> ${fileName}` }))
      .filter(({ from, to }) => from !== to);
  });
}

/** One cycle through the folders, as `a -> b -> a`, or undefined when the folder graph has none. */
function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (folder: string): string[] | undefined => {
    state.set(folder, 'open');
    path.push(folder);
    for (const next of edges.get(folder) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(folder, 'done');
    return undefined;
  };
  for (const folder of [...edges.keys()].sort()) {
    if (state.has(folder)) continue;
    const cycle = visit(folder);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('folders of src/', () => {
  const imports = folderImports();

  it('import each other in no cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const { from, to } of imports) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    const cycle = findCycle(edges);
    const imported = cycle?.slice(1).map((to, i) => imports.filter((edge) => edge.from === cycle[i] && edge.to === to).map(({ via }) => `  ${via}`));
    expect(cycle && `${cycle.join(' -> ')}\n${imported!.flat().join('\n')}`).toBeUndefined();
  });

  it('core/ imports no other folder', () => {
    expect(imports.filter(({ from }) => from === 'core').map(({ via }) => via)).toEqual([]);
  });

  it('are all seen, dynamic imports included', () => {
    // The scan itself: `tsdbt run` loads the runner with import(), and that import must be found.
    expect(imports.map(({ via }) => via)).toContain(`${join('cli', 'commands', 'run.ts')} -> ../../runner/run-task.js`);
  });
});
