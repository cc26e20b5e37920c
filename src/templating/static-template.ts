import type { SourceLocation } from '../graph/nodes.js';
import type { RenderHooks } from './render-hooks.js';

/**
 * The fast path, in the spirit of dbt's static parser: a template made only of SQL text and simple calls
 * (`{{ref "x"}}`, `{{source "s" "t"}}`, `{{config k=v}}`, `{{var "x"}}`, `{{env_var "X"}}`, `{{this}}`, `{{target.x}}`)
 * is rendered by string substitution, without Handlebars' compile-to-JavaScript. Anything else returns undefined
 * and takes the Handlebars path; both render the same text (test/unit/static-template.test.ts checks it).
 */
type Literal = string | number | boolean;

interface Call {
  name: string;
  args: Literal[];
  hash: Record<string, Literal>;
  loc: SourceLocation;
}

type Segment = string | Call;

export type HelperCall = (call: Call, hooks: RenderHooks) => unknown;

const MUSTACHE = /\{\{([^{}]*)\}\}/g;
const TOKEN = /\s*(?:([A-Za-z_][\w-]*)=)?(?:"([^"\\]*)"|'([^'\\]*)'|(-?\d+(?:\.\d+)?)(?=\s|$)|(true|false)(?=\s|$)|([A-Za-z_][\w.]*))/y;
const TARGET_PATH = /^target\.(name|schema|type|threads|profile_name)$/;

const staticHelpers: Record<string, HelperCall> = {
  ref: (call, hooks) => hooks.ref(String(call.args[0]), call.loc),
  source: (call, hooks) => hooks.source(String(call.args[0]), String(call.args[1]), call.loc),
  config: (call, hooks) => {
    hooks.config(call.hash, call.loc);
    return '';
  },
  var: (call, hooks) => hooks.variable(String(call.args[0]), call.args[1], call.loc),
  this: (_call, hooks) => hooks.scope.toString(),
};

const arity: Record<string, [number, number]> = { ref: [1, 1], source: [2, 2], config: [0, 0], var: [1, 2], this: [0, 0] };

export interface StaticTemplate {
  render(hooks: RenderHooks, envVar: (name: string, fallback: string | undefined, loc: SourceLocation) => string): string;
}

export function parseStaticTemplate(source: string): StaticTemplate | undefined {
  if (source.includes('{{{') || source.includes('\\{{')) return undefined;
  const segments: Segment[] = [];
  const lineStarts = lineStartOffsets(source);
  let last = 0;
  for (const match of source.matchAll(MUSTACHE)) {
    const call = parseCall(match[1]!, locate(lineStarts, match.index));
    if (!call) return undefined;
    const text = source.slice(last, match.index);
    if (text.includes('{{')) return undefined;
    if (text.length > 0) segments.push(text);
    segments.push(call);
    last = match.index + match[0].length;
  }
  const rest = source.slice(last);
  if (rest.includes('{{')) return undefined;
  if (rest.length > 0) segments.push(rest);
  return {
    render(hooks, envVar) {
      let out = '';
      for (const segment of segments) {
        if (typeof segment === 'string') out += segment;
        else {
          const value =
            segment.name === 'env_var'
              ? envVar(String(segment.args[0]), segment.args[1] === undefined ? undefined : String(segment.args[1]), segment.loc)
              : segment.name.startsWith('target.')
                ? hooks.scope.target[segment.name.slice(7) as keyof RenderHooks['scope']['target']]
                : staticHelpers[segment.name]!(segment, hooks);
          out += value === undefined || value === null ? '' : String(value);
        }
      }
      return out;
    },
  };
}

function parseCall(body: string, loc: SourceLocation): Call | undefined {
  const tokens: Array<{ key?: string; value: Literal; isPath: boolean }> = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < body.length) {
    if (/^\s*$/.test(body.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(body);
    if (!m) return undefined;
    const [, key, double, single, number, boolean, path] = m;
    const value: Literal =
      double ?? single ?? (number !== undefined ? Number(number) : boolean !== undefined ? boolean === 'true' : path!);
    tokens.push({ key, value, isPath: path !== undefined });
  }
  const [head, ...rest] = tokens;
  if (!head || !head.isPath || head.key !== undefined) return undefined;
  const name = String(head.value);
  if (rest.some((token) => token.isPath)) return undefined;
  const args = rest.filter((token) => token.key === undefined).map((token) => token.value);
  const hash = Object.fromEntries(rest.filter((token) => token.key !== undefined).map((token) => [token.key!, token.value]));
  // Positional arguments before hash arguments only, as Handlebars requires.
  const firstHash = rest.findIndex((token) => token.key !== undefined);
  if (firstHash >= 0 && rest.slice(firstHash).some((token) => token.key === undefined)) return undefined;
  if (TARGET_PATH.test(name)) return rest.length === 0 ? { name, args, hash, loc } : undefined;
  const bounds = name === 'env_var' ? ([1, 2] as const) : arity[name];
  if (!bounds || args.length < bounds[0] || args.length > bounds[1]) return undefined;
  if (name !== 'config' && Object.keys(hash).length > 0) return undefined;
  return { name, args, hash, loc };
}

function lineStartOffsets(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function locate(lineStarts: number[], offset: number): SourceLocation {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - lineStarts[low]! + 1 };
}
