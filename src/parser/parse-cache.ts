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
 * The file is a header line, a line with the entries' metadata as columns (files, their stats, whether each renders
 * statically, the variables read by the few that read any: a handful of arrays rather than an object per entry), then
 * the entries' nodes as one JSON array, an element per line (JSON holds no raw newline): `[node`, `,node`..., `]`.
 * The array is parsed when the cache is opened, in one go (ten thousand small parses cost twice as much), while the
 * file worker is still stat'ing the model files: on a large project the main thread would otherwise wait for it idle.
 */
const FORMAT = 'tsdbt-partial-parse/3';
export const PARSE_CACHE_FILE = 'partial_parse.tsv';
const RACY_MS = 1000;

/** The stat fields that identify a file's content, as the metadata's `stats` column holds them, four per entry. */
const STAT_FIELDS = ['size', 'mtimeMs', 'ctimeMs', 'ino'] as const;

/** The metadata line. */
interface StoredColumns {
  files: string[];
  stats: number[];
  isStatic: boolean[];
  /** By entry index, for the entries whose templates read variables with `env_var`: each variable's value, null where unset. */
  env: Record<number, Record<string, string | null>>;
}

interface StoredEntries extends StoredColumns {
  text: string;
  /** Each entry's node as parsing made it; null when disabled. */
  nodes: Array<GraphNode | null>;
  /** Where each entry's node line starts and ends in `text` (the line's first character is `[` or `,`). */
  lineStarts: number[];
  lineEnds: number[];
}

/** A file parsed in this invocation, to keep. */
interface Recorded {
  file: string;
  stat: FileStat;
  env: Record<string, string | null>;
  isStatic: boolean;
  /** JSON of the node as parsing made it (before the graph resolves its parents), or `null` when disabled. */
  nodeText: string;
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

const EMPTY: StoredEntries = { files: [], stats: [], isStatic: [], env: {}, text: '[]', nodes: [], lineStarts: [], lineEnds: [] };

export class ParseCache {
  /** The previous entries reused, by index, then what was parsed anew: what the next invocation finds. */
  private readonly kept: number[] = [];
  private readonly recorded: Recorded[] = [];
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
    return new ParseCache(path, key, entries ?? EMPTY, startedAt, entries !== undefined);
  }

  /** The stat, if the file did not change too recently for it to be trusted; else undefined. */
  usableStat(stat: FileStat): FileStat | undefined {
    return Math.max(stat.mtimeMs, stat.ctimeMs) > this.startedAt - RACY_MS ? undefined : stat;
  }

  /**
   * What parsing each file gave last time, for those whose inputs did not change since, in the order of `files`
   * (undefined for the others). Stats are compared as numbers, and files by position while both lists agree, as they
   * do when nothing was added or removed: on 10,000 files, formatting stats and looking files up cost more than the
   * rest.
   */
  reuse(files: string[], stats: Array<FileStat | undefined>): Array<CachedModel | undefined> {
    const previous = this.previous;
    let positions: Map<string, number> | undefined;
    const positionOf = (file: string, at: number): number | undefined => {
      if (positions === undefined && previous.files[at] === file) return at;
      positions ??= new Map(previous.files.map((known, index) => [known, index]));
      return positions.get(file);
    };
    return files.map((file, at) => {
      const stat = stats[at];
      const index = stat === undefined ? undefined : positionOf(file, at);
      if (index === undefined || !sameStat(previous.stats, index, stat!) || !sameEnvironment(previous.env[index])) return undefined;
      this.kept.push(index);
      return { node: previous.nodes[index] ?? undefined, isStatic: previous.isStatic[index]! };
    });
  }

  /** Keeps what parsing `file` gave; call it before anything else changes the node. */
  record(file: string, stat: FileStat | undefined, env: Record<string, string | null>, node: GraphNode | undefined, isStatic: boolean): void {
    this.changed = true;
    if (stat !== undefined) this.recorded.push({ file, stat, env, isStatic, nodeText: node ? JSON.stringify(node) : 'null' });
  }

  /** Writes the cache if it changed: call it once the whole project parsed without error. */
  save(): void {
    if (!this.path || (!this.changed && this.kept.length === this.previous.files.length)) return;
    const { previous, kept, recorded } = this;
    const columns: StoredColumns = {
      files: [...kept.map((index) => previous.files[index]!), ...recorded.map(({ file }) => file)],
      stats: [...kept.flatMap((index) => previous.stats.slice(index * STAT_FIELDS.length, (index + 1) * STAT_FIELDS.length)), ...recorded.flatMap(({ stat }) => STAT_FIELDS.map((field) => stat[field]))],
      isStatic: [...kept.map((index) => previous.isStatic[index]!), ...recorded.map(({ isStatic }) => isStatic)],
      env: {},
    };
    kept.forEach((index, at) => {
      if (previous.env[index]) columns.env[at] = previous.env[index]!;
    });
    recorded.forEach(({ env }, at) => {
      if (Object.keys(env).length > 0) columns.env[kept.length + at] = env;
    });
    const texts = [...kept.map((index) => nodeText(previous, index)), ...recorded.map(({ nodeText }) => nodeText)];
    const nodes = texts.map((text, index) => `${index === 0 ? '[' : ','}${text}`);
    const lines = [JSON.stringify({ format: FORMAT, key: this.key }), JSON.stringify(columns), ...nodes, nodes.length === 0 ? '[]' : ']'];
    try {
      writeFileAtomic(this.path, `${lines.join('\n')}\n`);
    } catch {
      // A cache that cannot be written (a read-only target folder) only means the next parse reads every file.
    }
  }
}

function sameStat(stats: number[], index: number, stat: FileStat): boolean {
  const at = index * STAT_FIELDS.length;
  return stats[at] === stat.size && stats[at + 1] === stat.mtimeMs && stats[at + 2] === stat.ctimeMs && stats[at + 3] === stat.ino;
}

function sameEnvironment(env: Record<string, string | null> | undefined): boolean {
  if (env === undefined) return true;
  for (const name in env) if ((process.env[name] ?? null) !== env[name]) return false;
  return true;
}

/** An entry's node as JSON text: its line without the array's `[` or `,`. */
function nodeText(entries: StoredEntries, index: number): string {
  return entries.text.slice(entries.lineStarts[index]! + 1, entries.lineEnds[index]);
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
  try {
    const headerEnd = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, headerEnd)) as { format?: string; key?: string };
    if (header.format !== FORMAT || header.key !== key) return undefined;
    const columnsEnd = text.indexOf('\n', headerEnd + 1);
    const columns = JSON.parse(text.slice(headerEnd + 1, columnsEnd)) as StoredColumns;
    const count = columns.files.length;
    if (columns.stats.length !== count * STAT_FIELDS.length || columns.isStatic.length !== count) return undefined;
    // The node lines, found without splitting the text into strings.
    const lineStarts: number[] = [];
    const lineEnds: number[] = [];
    let start = columnsEnd + 1;
    for (let index = 0; index < count; index++) {
      const end = text.indexOf('\n', start);
      if (end < 0 || text[start] !== (index === 0 ? '[' : ',')) return undefined;
      lineStarts.push(start);
      lineEnds.push(end);
      start = end + 1;
    }
    if (text.slice(start, -1) !== (count === 0 ? '[]' : ']')) return undefined;
    // Parsed where it lies in the text, with no copy of its megabytes.
    const nodes = JSON.parse(text.slice(columnsEnd + 1, -1)) as Array<GraphNode | null>;
    if (nodes.length !== count) return undefined;
    return { ...columns, text, nodes, lineStarts, lineEnds };
  } catch {
    // A cache edited by hand is no cache.
    return undefined;
  }
}
