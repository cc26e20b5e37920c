import { hash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphNode } from '../core/nodes.js';
import type { MacroDefinitions } from '../templating/environment.js';
import type { FileStat } from '../util/file-worker.js';
import { writeFileAtomic } from '../util/files.js';
import { TSDBT_VERSION } from '../version.js';

/**
 * Partial parsing, as dbt's `partial_parse.msgpack`: what parsing a SQL model file gave (its node, or that it is
 * disabled), kept in `<target>/partial_parse.tsv` for the next invocation. An entry is reused while the file keeps its
 * size, times and inode, the environment variables its templates read keep their values, and everything else a model's
 * node depends on (tsdbt's build, the project file, the target, vars, property files, macros) is what it was: the
 * cache's key. A file changed less than a second before the parse that read it is not kept: on a file system with
 * coarse timestamps a second change could leave them as they were.
 *
 * The file is a header line, a line with every entry's metadata (file, signature, variables read), then the entries'
 * nodes as one JSON array, an element per line (JSON holds no raw newline): `[node`, `,node`..., `]`. When every entry
 * is reused, as it is when nothing changed, the array is parsed where it lies in the file's text, with no copy of its
 * megabytes; otherwise only the reused lines are parsed.
 */
const FORMAT = 'tsdbt-partial-parse/2';
export const PARSE_CACHE_FILE = 'partial_parse.tsv';
const RACY_MS = 1000;

interface EntryMeta {
  file: string;
  signature: string;
  /** The variables `env_var` read while the file was parsed, null where unset. */
  env: Record<string, string | null>;
  isStatic: boolean;
}

interface Entry {
  meta: EntryMeta;
  /** JSON of the node as parsing made it (before the graph resolves its parents), or `null` when disabled. */
  nodeText: string;
  /** Its place in the file read; -1 for an entry recorded since. */
  index: number;
}

interface StoredEntries {
  byFile: Map<string, Entry>;
  /** The file's entries in order. */
  entries: Entry[];
  /** The JSON array of every entry's node, as it lies in the file. */
  nodesText: string;
}

export interface CachedModel {
  /** Undefined: the model is disabled. */
  node: GraphNode | undefined;
  isStatic: boolean;
}

export interface ParseCacheKeyInputs {
  projectText: string;
  target: unknown;
  vars: Record<string, unknown>;
  properties: unknown;
  macros: MacroDefinitions;
  root: string;
}

/** Everything besides a model's own file that its node is made from. */
export function parseCacheKey({ projectText, target, vars, properties, macros, root }: ParseCacheKeyInputs): string {
  const build = statSync(fileURLToPath(import.meta.url));
  const partials = [...macros.partials].map(([name, { source }]) => [name, source]);
  const helperFiles = [...new Set([...macros.helpers.values()].map(({ file }) => file))].map((file) => [file, readFileSync(join(root, file), 'utf8')]);
  return hash('sha256', JSON.stringify([FORMAT, TSDBT_VERSION, build.size, build.mtimeMs, projectText, target, vars, properties, partials, helperFiles]));
}

export class ParseCache {
  private readonly next: Entry[] = [];
  private changed: boolean;

  private constructor(
    private readonly path: string | undefined,
    private readonly key: string,
    private readonly previous: StoredEntries,
    private readonly startedAt: number,
    valid: boolean,
  ) {
    this.changed = !valid;
  }

  /** The cache at `path` if it was made with `key`, else an empty one; without a path, one that keeps nothing. */
  static open(path: string | undefined, key: string): ParseCache {
    const startedAt = Date.now();
    const entries = path ? readEntries(path, key) : undefined;
    return new ParseCache(path, key, entries ?? { byFile: new Map(), entries: [], nodesText: '[]' }, startedAt, entries !== undefined);
  }

  /** The file's identity as its stat gives it, or undefined if it changed too recently to be trusted. */
  signatureOf(stat: FileStat): string | undefined {
    if (Math.max(stat.mtimeMs, stat.ctimeMs) > this.startedAt - RACY_MS) return undefined;
    return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
  }

  /**
   * What parsing each file gave last time, for those whose inputs did not change since. The reused nodes are parsed
   * from JSON in one go: ten thousand small parses cost twice as much.
   */
  reuse(files: Array<{ file: string; signature: string | undefined }>): Map<string, CachedModel> {
    const hits = files.flatMap(({ file, signature }) => {
      const entry = this.previous.byFile.get(file);
      if (!entry || signature === undefined || entry.meta.signature !== signature) return [];
      for (const [name, value] of Object.entries(entry.meta.env)) if ((process.env[name] ?? null) !== value) return [];
      return [entry];
    });
    // Hits are distinct entries: as many as the file holds is every one of them.
    const everyEntry = hits.length === this.previous.entries.length;
    const nodes = JSON.parse(everyEntry ? this.previous.nodesText : `[${hits.map((entry) => entry.nodeText).join(',')}]`) as Array<GraphNode | null>;
    this.next.push(...hits);
    return new Map(hits.map((entry, index) => [entry.meta.file, { node: nodes[everyEntry ? entry.index : index] ?? undefined, isStatic: entry.meta.isStatic }]));
  }

  /** Keeps what parsing `file` gave; call it before anything else changes the node. */
  record(file: string, signature: string | undefined, env: Record<string, string | null>, node: GraphNode | undefined, isStatic: boolean): void {
    this.changed = true;
    if (signature !== undefined) this.next.push({ meta: { file, signature, env, isStatic }, nodeText: node ? JSON.stringify(node) : 'null', index: -1 });
  }

  /** Writes the cache if it changed: call it once the whole project parsed without error. */
  save(): void {
    if (!this.path || (!this.changed && this.next.length === this.previous.entries.length)) return;
    const header = JSON.stringify({ format: FORMAT, key: this.key });
    const nodes = this.next.map((entry, index) => `${index === 0 ? '[' : ','}${entry.nodeText}`);
    const lines = [header, JSON.stringify(this.next.map((entry) => entry.meta)), ...nodes, nodes.length === 0 ? '[]' : ']'];
    try {
      writeFileAtomic(this.path, `${lines.join('\n')}\n`);
    } catch {
      // A cache that cannot be written (a read-only target folder) only means the next parse reads every file.
    }
  }
}

/** The entries of the cache at `path`; undefined when there is none made with `key`. */
function readEntries(path: string, key: string): StoredEntries | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // Written whole, ending in a newline: anything else was not written by tsdbt.
  if (!text.endsWith('\n')) return undefined;
  const lines = text.slice(0, -1).split('\n');
  try {
    const header = JSON.parse(lines[0]!) as { format?: string; key?: string };
    if (header.format !== FORMAT || header.key !== key) return undefined;
    const metas = JSON.parse(lines[1]!) as EntryMeta[];
    const nodeLines = lines.slice(2, -1);
    if (metas.length !== nodeLines.length || lines.at(-1) !== (metas.length === 0 ? '[]' : ']')) return undefined;
    if (nodeLines.some((line, index) => line[0] !== (index === 0 ? '[' : ','))) return undefined;
    const entries = metas.map((meta, index) => ({ meta, nodeText: nodeLines[index]!.slice(1), index }));
    const nodesText = text.slice(lines[0]!.length + lines[1]!.length + 2, -1);
    return { byFile: new Map(entries.map((entry) => [entry.meta.file, entry])), entries, nodesText };
  } catch {
    // A cache edited by hand is no cache.
    return undefined;
  }
}
