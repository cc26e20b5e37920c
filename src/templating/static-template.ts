import type { SourceLocation } from '../core/nodes.js';
import type { RenderHooks } from './render-hooks.js';
import { LineIndex } from '../util/line-index.js';

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
const SPACE_TO_END = /\s*$/y;
const TOKEN = /\s*(?:([A-Za-z_][\w-]*)=)?(?:"([^"\\]*)"|'([^'\\]*)'|(-?\d+(?:\.\d+)?)(?=\s|$)|(true|false)(?=\s|$)|([A-Za-z_][\w.]*))/y;
const TARGET_PATH = /^target\.(name|schema|type|threads|profile_name)$/;

const staticHelpers: Record<string, HelperCall> = {
  ref: (call, hooks) => hooks.ref(String(call.args[0]), call.loc, call.hash.rejects === true ? 'rejects' : undefined),
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
  const lines = new LineIndex(source);
  let last = 0;
  MUSTACHE.lastIndex = 0;
  for (let match = MUSTACHE.exec(source); match; match = MUSTACHE.exec(source)) {
    const call = parseCall(match[1]!, lines.positionOf(match.index));
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

/** One pass over the call's tokens (this runs for every call of every model of a project). */
function parseCall(body: string, loc: SourceLocation): Call | undefined {
  let name: string | undefined;
  let argumentCount = 0;
  const args: Literal[] = [];
  const hash: Array<[string, Literal]> = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < body.length) {
    SPACE_TO_END.lastIndex = TOKEN.lastIndex;
    if (SPACE_TO_END.test(body)) break;
    const m = TOKEN.exec(body);
    if (!m) return undefined;
    const [, key, double, single, number, boolean, path] = m;
    if (name === undefined) {
      if (path === undefined || key !== undefined) return undefined;
      name = path;
      continue;
    }
    if (path !== undefined) return undefined;
    argumentCount++;
    const value: Literal = double ?? single ?? (number !== undefined ? Number(number) : boolean === 'true');
    // Positional arguments before hash arguments only, as Handlebars requires.
    if (key !== undefined) hash.push([key, value]);
    else if (hash.length > 0) return undefined;
    else args.push(value);
  }
  if (name === undefined) return undefined;
  if (TARGET_PATH.test(name)) return argumentCount === 0 ? { name, args, hash: {}, loc } : undefined;
  const bounds = name === 'env_var' ? ([1, 2] as const) : arity[name];
  if (!bounds || args.length < bounds[0] || args.length > bounds[1]) return undefined;
  if (name !== 'config' && hash.length > 0) return undefined;
  return { name, args, hash: Object.fromEntries(hash), loc };
}
