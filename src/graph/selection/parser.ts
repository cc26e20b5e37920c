import { TsdbtError } from '../../core/errors.js';

/** One selector such as `2+tag:nightly+`, taken apart. */
export interface Criterion {
  /** The selector as written, for error messages. */
  raw: string;
  /** Method name without its key: `config` for `config.materialized:table`. */
  method: string;
  /** The dotted part after the method name: `['meta', 'owner']` for `config.meta.owner:x`. */
  key: string[];
  value: string;
  /** `+name`: ancestors; depth undefined means all generations. */
  parents: boolean;
  parentsDepth?: number;
  /** `name+`: descendants. */
  children: boolean;
  childrenDepth?: number;
  /** `@name`: descendants and all their ancestors. */
  childrensParents: boolean;
}

/** A selection is a union (spaces, separate arguments) of intersections (commas). */
export type Selection = Criterion[][];

// dbt's grammar: [@][N+][method[.key]:]value[+N]. The value is lazy so a trailing `+N` goes to the operator.
const SELECTOR = /^(@)?(?:(\d*)\+)?(?:([A-Za-z_][\w.]*):)?(.*?)(?:\+(\d*))?$/;

/** Splits yargs' arguments (each may hold several space-separated selectors) and parses each selector. */
export function parseSelection(args: string[]): Selection {
  const selection: Selection = [];
  for (const arg of args) {
    const words = arg.split(/\s+/).filter((word) => word !== '');
    if (words.length === 0) throw malformed(arg, 'the selector is empty');
    for (const word of words) selection.push(word.split(',').map((part) => parseCriterion(part, word)));
  }
  return selection;
}

export function parseCriterion(raw: string, context = raw): Criterion {
  if (raw === '') throw malformed(context, 'the selector is empty (two commas in a row, or a trailing comma?)');
  const match = SELECTOR.exec(raw);
  if (!match) throw malformed(raw, 'expected [@][N+][method:]value[+N]');
  const [, at, parentsDepth, methodSpec, value = '', childrenDepth] = match;
  if (value === '') throw malformed(raw, methodSpec ? `nothing after '${methodSpec}:'` : 'no name or method:value');
  // A `+` or `@` left inside the value means an operator in the wrong place or a depth that is not a whole number.
  if (/[+@]/.test(value)) {
    throw malformed(raw, "'+' goes only at the start or the end, with an optional whole number of generations (2+name, name+3), and '@' only at the start");
  }
  const parents = parentsDepth !== undefined;
  const children = childrenDepth !== undefined;
  if (at && (parents || children)) throw malformed(raw, "'@' already takes descendants and their ancestors; it cannot be combined with '+'");
  const [method = defaultMethod(value), ...key] = methodSpec ? methodSpec.split('.') : [];
  if (method === '' || key.some((part) => part === '')) throw malformed(raw, `bad method '${methodSpec}'`);
  return {
    raw,
    method,
    key,
    value,
    parents,
    parentsDepth: depth(parentsDepth),
    children,
    childrenDepth: depth(childrenDepth),
    childrensParents: Boolean(at),
  };
}

/** As in dbt, a bare value that looks like a file or folder is a path; anything else is a name or fqn. */
function defaultMethod(value: string): string {
  return value.includes('/') || /\.(sql|ya?ml|csv)$/.test(value) ? 'path' : 'fqn';
}

function depth(digits: string | undefined): number | undefined {
  return digits ? Number(digits) : undefined;
}

function malformed(selector: string, why: string): TsdbtError {
  return new TsdbtError('usage', `malformed selector '${selector}': ${why}`, {
    hint: 'examples: my_model, +my_model, my_model+2, @my_model, tag:nightly,config.materialized:table',
  });
}
