import type { Expr, Node } from './jinja-parser.js';

/**
 * A `{% macro %}` that Handlebars cannot say (it returns a value, computes with `{% set %}`, uses operators) as a
 * TypeScript helper, when it is a pure function of its arguments: text, outputs, if/for/set, filters, operators and
 * `return()` over its parameters and literals. Anything else (a ref, a var, another macro, the target) gives undefined:
 * the macro stays a partial and its constructs are reported.
 */
class NotPure extends Error {}

/** What the generated code needs at run time, private to each file (every export of macros/*.ts is a helper). */
const RUNTIME = `type Value = any;
const $isOptions = (value: Value) => value !== null && typeof value === 'object' && 'hash' in value && 'data' in value;
const $str = (value: Value): string => (value === undefined || value === null ? '' : value === true ? 'True' : value === false ? 'False' : String(value));
const $truthy = (value: Value): boolean => (Array.isArray(value) ? value.length > 0 : value !== null && typeof value === 'object' ? Object.keys(value).length > 0 : Boolean(value));
const $eq = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);
const $contains = (container: Value, item: Value): boolean =>
  Array.isArray(container) ? container.some((x) => $eq(x, item)) : typeof container === 'string' ? container.includes($str(item)) : item in (container ?? {});
const $list = (value: Value): Value[] => (Array.isArray(value) ? value : typeof value === 'string' ? [...value] : value && typeof value === 'object' ? Object.keys(value) : []);
const $add = (a: Value, b: Value): Value => (Array.isArray(a) ? [...a, ...$list(b)] : a + b);
const $filters: Record<string, (value: Value, ...args: Value[]) => Value> = {
  upper: (v) => $str(v).toUpperCase(),
  lower: (v) => $str(v).toLowerCase(),
  trim: (v) => $str(v).trim(),
  title: (v) => $str(v).replace(/\\w\\S*/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (v) => $str(v).slice(0, 1).toUpperCase() + $str(v).slice(1).toLowerCase(),
  replace: (v, from, to) => $str(v).split($str(from)).join($str(to)),
  join: (v, separator = '') => $list(v).map($str).join($str(separator)),
  length: (v) => $list(v).length,
  count: (v) => $list(v).length,
  first: (v) => $list(v)[0],
  last: (v) => $list(v).at(-1),
  default: (v, fallback = '') => (v === undefined || v === null ? fallback : v),
  string: (v) => $str(v),
  int: (v) => Math.trunc(Number(v)) || 0,
  float: (v) => Number(v) || 0,
  list: (v) => $list(v),
  unique: (v) => [...new Set($list(v))],
  sort: (v) => [...list(v)].sort(),
  reverse: (v) => [...list(v)].reverse(),
};
const $tests: Record<string, (value: Value) => boolean> = {
  none: (v) => v === null || v === undefined,
  defined: (v) => v !== undefined,
  undefined: (v) => v === undefined,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  iterable: (v) => Array.isArray(v) || typeof v === 'string',
  mapping: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
};`;

/** Names Jinja allows and JavaScript does not: a macro, parameter or variable so named keeps the macro a partial. */
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield await arguments eval loop'.split(' '),
);
const FILTERS = new Set(['upper', 'lower', 'trim', 'title', 'capitalize', 'replace', 'join', 'length', 'count', 'first', 'last', 'default', 'string', 'int', 'float', 'list', 'unique', 'sort', 'reverse']);
const TESTS = new Set(['none', 'defined', 'undefined', 'string', 'number', 'iterable', 'mapping']);

const BINARY: Record<string, (a: string, b: string) => string> = {
  '==': (a, b) => `$eq(${a}, ${b})`,
  '!=': (a, b) => `!$eq(${a}, ${b})`,
  '<': (a, b) => `(${a} < ${b})`,
  '>': (a, b) => `(${a} > ${b})`,
  '<=': (a, b) => `(${a} <= ${b})`,
  '>=': (a, b) => `(${a} >= ${b})`,
  and: (a, b) => `($truthy(${a}) ? ${b} : ${a})`,
  or: (a, b) => `($truthy(${a}) ? ${a} : ${b})`,
  in: (a, b) => `$contains(${b}, ${a})`,
  'not in': (a, b) => `!$contains(${b}, ${a})`,
  '~': (a, b) => `($str(${a}) + $str(${b}))`,
  '+': (a, b) => `$add(${a}, ${b})`,
  '-': (a, b) => `(${a} - ${b})`,
  '*': (a, b) => `(${a} * ${b})`,
  '/': (a, b) => `(${a} / ${b})`,
  '//': (a, b) => `Math.floor(${a} / ${b})`,
  '%': (a, b) => `(${a} % ${b})`,
  '**': (a, b) => `(${a} ** ${b})`,
};

/** The source of `macros/<name>.ts` for the macro, or undefined when it is not a pure function of its arguments. */
export function typescriptMacro(macro: Extract<Node, { kind: 'macro' }>): string | undefined {
  const params = macro.params.map((param) => param.name);
  if ([macro.name, ...params].some((name) => RESERVED.has(name))) return undefined;
  const emitter = new Emitter(params);
  try {
    const defaults = macro.params.map((param) => (param.fallback ? ` = ${emitter.expr(param.fallback)}` : ''));
    const body = emitter.block(macro.body, '  ');
    const signature = params.map((name, i) => `${name}${defaults[i]}`).join(', ');
    return [
      `// Written by \`tsdbt import dbt\` from the {% macro ${macro.name} %} of the dbt project: Handlebars cannot say it.`,
      RUNTIME,
      '',
      `export function ${macro.name}(...args: Value[]): Value {`,
      `  let [${signature}] = args.length > 0 && $isOptions(args.at(-1)) ? args.slice(0, -1) : args;`,
      "  let $out = '';",
      body,
      '  return $out;',
      '}',
      '',
    ].join('\n');
  } catch (error) {
    if (error instanceof NotPure) return undefined;
    throw error;
  }
}

class Emitter {
  private readonly known: Set<string>;

  constructor(private readonly params: string[]) {
    this.known = new Set(params);
  }

  block(nodes: Node[], indent: string): string {
    return nodes.map((node) => this.statement(node, indent)).filter((line) => line !== '').join('\n');
  }

  private statement(node: Node, indent: string): string {
    switch (node.kind) {
      case 'text':
        return `${indent}$out += ${JSON.stringify(node.value)};`;
      case 'output':
        if (node.expr.kind === 'call' && node.expr.callee.kind === 'name' && node.expr.callee.name === 'return' && node.expr.args.length === 1) {
          return `${indent}return ${this.expr(node.expr.args[0]!)};`;
        }
        return `${indent}$out += $str(${this.expr(node.expr)});`;
      case 'if': {
        const branches = node.branches.map((branch, i) => `${i === 0 ? `${indent}if` : ' else if'} ($truthy(${this.expr(branch.test)})) {\n${this.block(branch.body, `${indent}  `)}\n${indent}}`);
        const otherwise = node.otherwise ? ` else {\n${this.block(node.otherwise, `${indent}  `)}\n${indent}}` : '';
        return branches.join('') + otherwise;
      }
      case 'for': {
        if (node.targets.length !== 1 || node.otherwise || RESERVED.has(node.targets[0]!)) throw new NotPure();
        const target = node.targets[0]!;
        const iterable = this.expr(node.iterable);
        this.known.add(target);
        this.known.add('loop');
        const body = this.block(node.body, `${indent}  `);
        return [
          `${indent}{`,
          `${indent}  const $items = $list(${iterable});`,
          `${indent}  for (const [$index0, ${target}] of $items.entries()) {`,
          `${indent}    const loop = { index0: $index0, index: $index0 + 1, first: $index0 === 0, last: $index0 === $items.length - 1, length: $items.length, revindex: $items.length - $index0, revindex0: $items.length - $index0 - 1 };`,
          `${indent}    void loop;`,
          body.replace(/^/gm, '  '),
          `${indent}  }`,
          `${indent}}`,
        ].join('\n');
      }
      case 'set': {
        if (node.targets.length !== 1 || node.targets[0]!.includes('.')) throw new NotPure();
        const target = node.targets[0]!;
        const value = this.expr(node.value);
        if (RESERVED.has(target)) throw new NotPure();
        // `var`: as in Jinja, a name set inside an if is seen after it.
        this.known.add(target);
        return this.params.includes(target) ? `${indent}${target} = ${value};` : `${indent}var ${target} = ${value};`;
      }
      default:
        throw new NotPure();
    }
  }

  expr(expr: Expr): string {
    switch (expr.kind) {
      case 'literal':
        return JSON.stringify(expr.value);
      case 'list':
        return `[${expr.items.map((item) => this.expr(item)).join(', ')}]`;
      case 'dict':
        return `{ ${expr.entries.map(([key, value]) => `[${this.expr(key)}]: ${this.expr(value)}`).join(', ')} }`;
      case 'name':
        if (!this.known.has(expr.name)) throw new NotPure();
        return expr.name;
      case 'attr':
        return `(${this.expr(expr.object)} as Value)?.[${JSON.stringify(expr.name)}]`;
      case 'index':
        return `(${this.expr(expr.object)} as Value)?.[${this.expr(expr.index)}]`;
      case 'filter':
        if (expr.kwargs.length > 0 || !FILTERS.has(expr.name)) throw new NotPure();
        return `$filters[${JSON.stringify(expr.name)}]!(${[expr.value, ...expr.args].map((arg) => this.expr(arg)).join(', ')})`;
      case 'test':
        if (!TESTS.has(expr.name) || expr.args.length > 0) throw new NotPure();
        return `${expr.negated ? '!' : ''}$tests[${JSON.stringify(expr.name)}]!(${this.expr(expr.value)})`;
      case 'binary': {
        const op = BINARY[expr.op];
        if (!op) throw new NotPure();
        return op(this.expr(expr.left), this.expr(expr.right));
      }
      case 'unary':
        return expr.op === 'not' ? `!$truthy(${this.expr(expr.operand)})` : `(${expr.op}${this.expr(expr.operand)})`;
      case 'cond':
        return `($truthy(${this.expr(expr.test)}) ? ${this.expr(expr.then)} : ${expr.otherwise ? this.expr(expr.otherwise) : "''"})`;
      default:
        throw new NotPure();
    }
  }
}
