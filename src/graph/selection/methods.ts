import { didYouMean, TsdbtError } from '../../core/errors.js';
import { RESOURCE_KINDS } from '../../core/node-kinds.js';
import type { Criterion } from './parser.js';
import type { SelectableNode } from './selectable-node.js';
import { stableJson } from '../../util/stable-json.js';

/** The previous run's manifest, reduced to what `state:` compares. */
export interface PreviousState {
  nodes: Record<string, { checksum: string; config: unknown }>;
  sources?: Record<string, unknown>;
}

export interface MethodContext {
  /** The dotted key after the method name: `['materialized']` for `config.materialized:table`. */
  key: string[];
  state?: PreviousState;
}

/** One `method:` of the selector syntax. Adding a method is adding an entry to METHODS. */
export interface SelectorMethod {
  name: string;
  /** Whether the method takes a dotted key (`config.materialized`); others reject one. */
  keyed?: boolean;
  /** Checks the value once, before any node is looked at, so bad input fails even on an empty project. */
  validate?(value: string, ctx: MethodContext, criterion: Criterion): void;
  matches(node: SelectableNode, value: string, ctx: MethodContext): boolean;
}

const fqn: SelectorMethod = {
  name: 'fqn',
  // As dbt: the leaf name, or a prefix of the fqn with or without the project name (`staging` selects the folder).
  // Each dotted part may be a glob, so `stg_*` and `staging.*` work. Sources are left to `source:`, as in dbt,
  // so `-s orders+` does not run everything downstream of a source table that happens to be called orders.
  matches: (node, value) => {
    if (node.resourceType === 'source') return false;
    const parts = dottedGlobs(value);
    const prefixAt = (start: number) => parts.length <= node.fqn.length - start && parts.every((part, i) => part.test(node.fqn[start + i]!));
    return globRegExp(value).test(node.name) || prefixAt(0) || prefixAt(1);
  },
};

const path: SelectorMethod = {
  name: 'path',
  // The file itself or any folder above it, so `path:models/staging` selects everything under it.
  matches: (node, value) => {
    const pattern = pathRegExp(value.replace(/^(\.\/)+/, '').replace(/\/+$/, ''));
    const segments = node.path.split('/');
    return segments.some((_, i) => pattern.test(segments.slice(0, i + 1).join('/')));
  },
};

const tag: SelectorMethod = {
  name: 'tag',
  matches: (node, value) => {
    const pattern = globRegExp(value);
    return node.tags.some((t) => pattern.test(t));
  },
};

const config: SelectorMethod = {
  name: 'config',
  keyed: true,
  validate: (_value, ctx, criterion) => {
    if (ctx.key.length === 0) throw new TsdbtError('usage', `selector '${criterion.raw}' names no config key`, { hint: 'write config.<key>:value, e.g. config.materialized:table' });
  },
  // Values are compared as text so `config.enabled:true` and `config.meta.priority:1` work; a list matches if any element does.
  matches: (node, value, ctx) => {
    let current: unknown = node.config;
    for (const key of ctx.key) current = isRecord(current) ? current[key] : undefined;
    const candidates = Array.isArray(current) ? current : [current];
    return candidates.some((candidate) => candidate !== undefined && candidate !== null && typeof candidate !== 'object' && String(candidate) === value);
  },
};

const resourceType: SelectorMethod = {
  name: 'resource_type',
  matches: (node, value) => node.resourceType === value,
};

const source: SelectorMethod = {
  name: 'source',
  // `source_name`, `source_name.table_name`, or with the package first, as in dbt; each part may be a glob.
  matches: (node, value) => {
    if (node.sourceName === undefined) return false;
    const parts = value.split('.');
    const target = parts.length === 3 ? [node.packageName, node.sourceName, node.name] : [node.sourceName, node.name];
    return parts.length <= 3 && parts.every((part, i) => globRegExp(part).test(target[i]!));
  },
};

const STATES = ['new', 'modified', 'modified.body', 'modified.configs'];

const state: SelectorMethod = {
  name: 'state',
  validate: (value, ctx) => {
    if (!STATES.includes(value)) {
      throw new TsdbtError('usage', `unknown state '${value}' in 'state:${value}'`, { hint: didYouMean(value, STATES) ?? `use one of ${STATES.join(', ')}` });
    }
    if (!ctx.state) throw new TsdbtError('usage', `'state:${value}' compares with an earlier run and needs --state DIR`, { hint: 'point --state at the target folder of an earlier run' });
  },
  matches: (node, value, ctx) => {
    const previousState = ctx.state!;
    if (node.checksum === undefined) {
      // Sources have no body to compare; without a record of earlier sources none counts as new.
      return previousState.sources !== undefined && !(node.uniqueId in previousState.sources);
    }
    const previous = previousState.nodes[node.uniqueId];
    if (!previous) return true;
    if (value === 'new') return false;
    const bodyChanged = previous.checksum !== node.checksum;
    const configChanged = stableJson(previous.config) !== stableJson(node.config);
    if (value === 'modified.body') return bodyChanged;
    if (value === 'modified.configs') return configChanged;
    return bodyChanged || configChanged;
  },
};

const uniqueId: SelectorMethod = {
  name: 'unique_id',
  matches: (node, value) => node.uniqueId === value,
};

const testType: SelectorMethod = {
  name: 'test_type',
  // `test_type:data` (generic and singular tests), `test_type:unit`; dbt's `generic` and `singular` narrow data tests.
  matches: (node, value) => {
    const type = RESOURCE_KINDS[node.resourceType].testType;
    return value === 'generic' ? type === 'data' && node.testName !== undefined
      : value === 'singular' ? type === 'data' && node.testName === undefined
      : type === value;
  },
  validate: (value) => {
    if (!['unit', 'data', 'generic', 'singular'].includes(value)) throw new TsdbtError('usage', `test_type:${value} is not a test type`, { hint: 'test_type:unit, test_type:data, test_type:generic or test_type:singular' });
  },
};

export const METHODS: ReadonlyMap<string, SelectorMethod> = new Map(
  [fqn, path, tag, config, resourceType, source, state, uniqueId, testType].map((method) => [method.name, method]),
);

/** The method a criterion names, or a usage error with the closest names. */
export function resolveMethod(criterion: Criterion): SelectorMethod {
  const method = METHODS.get(criterion.method);
  if (!method) {
    throw new TsdbtError('usage', `unknown selector method '${criterion.method}' in '${criterion.raw}'`, {
      hint: didYouMean(criterion.method, METHODS.keys()) ?? `methods: ${[...METHODS.keys()].join(', ')}`,
    });
  }
  if (criterion.key.length > 0 && !method.keyed) {
    throw new TsdbtError('usage', `selector method '${method.name}' takes no '.${criterion.key.join('.')}' in '${criterion.raw}'`);
  }
  return method;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted, so the same config read in another order compares equal. */
/** `*` any text, `?` one character: for names, tags and sources. */
const globRegExp = memoized((glob) => globToRegExp(glob, { '**/': '.*/', '**': '.*', '*': '.*', '?': '.' }));

// For file paths: `*` and `?` stay within one folder, `**` spans folders, and `**` followed by a slash may also match no folder.
const pathRegExp = memoized((glob) => globToRegExp(glob, { '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' }));

/** `marts.fin*` as one pattern per dotted part, for fqn prefixes. */
const dottedGlobs = memoized((value: string) => value.split('.').map((part) => globRegExp(part)));

/** A pattern is tested against every node of the project (the docs site's 20,000 included): compile each once. */
function memoized<T>(compile: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let compiled = cache.get(text);
    if (compiled === undefined) cache.set(text, (compiled = compile(text)));
    return compiled;
  };
}

/** Splits on the wildcards, translates each, and escapes the text between them. */
function globToRegExp(glob: string, wildcards: Record<string, string>): RegExp {
  const source = glob
    .split(/(\*\*\/|\*\*|\*|\?)/)
    .map((part) => wildcards[part] ?? part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('');
  return new RegExp(`^${source}$`);
}
