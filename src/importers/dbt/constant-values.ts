import type { Expr } from './jinja-parser.js';

/**
 * Jinja expressions whose value is known when importing (literals, lists, `{% set %}` constants, and filters or
 * operators over them) are evaluated then, as Jinja would: `{{ 'a' ~ x | upper }}` with `x` set to a literal is text.
 */
export type ConstantValue = string | number | boolean | null | ConstantValue[] | { [key: string]: ConstantValue };

export type ConstantLookup = (name: string) => { value: ConstantValue } | undefined;

/** The filters of constants that have a clear meaning, as Jinja defines them. */
const FILTERS: Record<string, (value: ConstantValue, ...args: ConstantValue[]) => ConstantValue | undefined> = {
  upper: (value) => jinjaString(value).toUpperCase(),
  lower: (value) => jinjaString(value).toLowerCase(),
  trim: (value) => jinjaString(value).trim(),
  title: (value) => jinjaString(value).replace(/\w\S*/g, (word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase()),
  capitalize: (value) => {
    const text = jinjaString(value);
    return text.slice(0, 1).toUpperCase() + text.slice(1).toLowerCase();
  },
  string: (value) => jinjaString(value),
  int: (value) => Math.trunc(Number(value)) || 0,
  float: (value) => Number(value) || 0,
  length: (value) => (Array.isArray(value) || typeof value === 'string' ? value.length : undefined),
  count: (value) => (Array.isArray(value) || typeof value === 'string' ? value.length : undefined),
  first: (value) => (Array.isArray(value) ? (value[0] ?? null) : undefined),
  last: (value) => (Array.isArray(value) ? (value.at(-1) ?? null) : undefined),
  join: (value, separator = '') => (Array.isArray(value) ? value.map(jinjaString).join(jinjaString(separator)) : undefined),
  replace: (value, from, to) => jinjaString(value).split(jinjaString(from ?? '')).join(jinjaString(to ?? '')),
  default: (value, fallback) => (value === null ? (fallback ?? '') : value),
  list: (value) => (Array.isArray(value) ? value : typeof value === 'string' ? [...value] : undefined),
  unique: (value) => (Array.isArray(value) ? [...new Set(value)] : undefined),
  sort: (value) => (Array.isArray(value) ? [...value].sort() : undefined),
  reverse: (value) => (Array.isArray(value) ? [...value].reverse() : typeof value === 'string' ? [...value].reverse().join('') : undefined),
};

export const CONSTANT_FILTERS = new Set(Object.keys(FILTERS));

/** How Jinja prints a value: `True`, `None`, lists as Python writes them. */
export function jinjaString(value: ConstantValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return `[${value.map((item) => (typeof item === 'string' ? `'${item}'` : jinjaString(item))).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([key, item]) => `'${key}': ${typeof item === 'string' ? `'${item}'` : jinjaString(item)}`).join(', ')}}`;
  return String(value);
}

/** Jinja's truth: empty lists and mappings are false. */
export function truthy(value: ConstantValue): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** The value of `expr` if it is known without rendering, else undefined. */
export function evaluateConstant(expr: Expr, lookup: ConstantLookup): { value: ConstantValue } | undefined {
  const value = evaluate(expr, lookup);
  return value === undefined ? undefined : { value };
}

function evaluate(expr: Expr, lookup: ConstantLookup): ConstantValue | undefined {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'list': {
      const items = expr.items.map((item) => evaluate(item, lookup));
      return items.every((item) => item !== undefined) ? (items as ConstantValue[]) : undefined;
    }
    case 'dict': {
      const result: Record<string, ConstantValue> = {};
      for (const [keyExpr, valueExpr] of expr.entries) {
        const key = evaluate(keyExpr, lookup);
        const value = evaluate(valueExpr, lookup);
        if (typeof key !== 'string' || value === undefined) return undefined;
        result[key] = value;
      }
      return result;
    }
    case 'name':
      return lookup(expr.name)?.value;
    case 'attr': {
      const object = evaluate(expr.object, lookup);
      return object !== null && typeof object === 'object' && !Array.isArray(object) ? object[expr.name] : undefined;
    }
    case 'index': {
      const object = evaluate(expr.object, lookup);
      const index = evaluate(expr.index, lookup);
      if (Array.isArray(object) && typeof index === 'number') return object.at(index);
      if (object !== null && typeof object === 'object' && !Array.isArray(object) && typeof index === 'string') return object[index];
      return undefined;
    }
    case 'filter': {
      const filter = FILTERS[expr.name];
      const value = evaluate(expr.value, lookup);
      const args = expr.args.map((arg) => evaluate(arg, lookup));
      if (!filter || value === undefined || args.some((arg) => arg === undefined) || expr.kwargs.length > 0) return undefined;
      return filter(value, ...(args as ConstantValue[]));
    }
    case 'test': {
      if (expr.name === 'defined' || expr.name === 'undefined') {
        const defined = isDefined(expr.value, lookup);
        return defined === undefined ? undefined : defined !== (expr.name === 'undefined') !== expr.negated;
      }
      const value = evaluate(expr.value, lookup);
      if (value === undefined) return undefined;
      const tests: Record<string, (v: ConstantValue) => boolean> = {
        none: (v) => v === null,
        string: (v) => typeof v === 'string',
        number: (v) => typeof v === 'number',
        defined: () => true,
        iterable: (v) => Array.isArray(v) || typeof v === 'string',
        sequence: (v) => Array.isArray(v) || typeof v === 'string',
        mapping: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
      };
      const test = tests[expr.name];
      return test ? test(value) !== expr.negated : undefined;
    }
    case 'unary': {
      const operand = evaluate(expr.operand, lookup);
      if (operand === undefined) return undefined;
      if (expr.op === 'not') return !truthy(operand);
      return typeof operand === 'number' ? (expr.op === '-' ? -operand : operand) : undefined;
    }
    case 'binary':
      return binary(expr.op, expr.left, expr.right, lookup);
    case 'cond': {
      const test = evaluate(expr.test, lookup);
      if (test === undefined) return undefined;
      if (truthy(test)) return evaluate(expr.then, lookup);
      return expr.otherwise ? evaluate(expr.otherwise, lookup) : '';
    }
    default:
      return undefined;
  }
}

/** Whether a name or a known mapping's key is defined, if that is known when importing. */
function isDefined(expr: Expr, lookup: ConstantLookup): boolean | undefined {
  if (expr.kind === 'name') return lookup(expr.name) !== undefined ? true : undefined;
  if (expr.kind !== 'attr') return undefined;
  const object = evaluate(expr.object, lookup);
  return object !== null && typeof object === 'object' && !Array.isArray(object) ? expr.name in object : undefined;
}

function binary(op: string, leftExpr: Expr, rightExpr: Expr, lookup: ConstantLookup): ConstantValue | undefined {
  const left = evaluate(leftExpr, lookup);
  if (left === undefined) return undefined;
  // Short-circuits as Jinja does, so `x and y` is known when x is falsy even if y is not known.
  if (op === 'and' && !truthy(left)) return left;
  if (op === 'or' && truthy(left)) return left;
  const right = evaluate(rightExpr, lookup);
  if (right === undefined) return undefined;
  switch (op) {
    case 'and':
    case 'or':
      return right;
    case '==':
      return JSON.stringify(left) === JSON.stringify(right);
    case '!=':
      return JSON.stringify(left) !== JSON.stringify(right);
    case '~':
      return jinjaString(left) + jinjaString(right);
    case 'in':
    case 'not in': {
      const found = Array.isArray(right)
        ? right.some((item) => JSON.stringify(item) === JSON.stringify(left))
        : typeof right === 'string'
          ? right.includes(jinjaString(left))
          : right !== null && typeof right === 'object' && typeof left === 'string' && left in right;
      return op === 'in' ? found : !found;
    }
  }
  if (op === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  if (op === '+' && Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  if (typeof left !== 'number' || typeof right !== 'number') {
    if (typeof left === 'string' && typeof right === 'string' && ['<', '>', '<=', '>='].includes(op)) return compare(op, left, right);
    return undefined;
  }
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '//':
      return Math.floor(left / right);
    case '%':
      return left % right;
    case '**':
      return left ** right;
    default:
      return compare(op, left, right);
  }
}

function compare(op: string, left: number | string, right: number | string): boolean | undefined {
  if (op === '<') return left < right;
  if (op === '>') return left > right;
  if (op === '<=') return left <= right;
  if (op === '>=') return left >= right;
  return undefined;
}
