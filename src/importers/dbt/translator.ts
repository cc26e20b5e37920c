import { nodeConfigKeys } from '../../core/node-config.js';
import { LineIndex } from '../../util/line-index.js';
import { CONSTANT_FILTERS, evaluateConstant, jinjaString, truthy, type ConstantValue } from './constant-values.js';
import { filterHelperName, operatorHelper, RUNTIME_FILTERS } from './jinja-filters.js';
import { JinjaSyntaxError } from './jinja-lexer.js';
import { parseTemplate, type Expr, type MacroParam, type Node } from './jinja-parser.js';
import { constructText, type ImportIssue } from './import-report.js';
import { knownDbtMacro } from './dbt-macros.js';

/**
 * A project macro, as the importer writes it: a partial called with its parameters by name, or (when Handlebars
 * cannot say it) a TypeScript helper called with them in order.
 */
export interface MacroSignature {
  name: string;
  params: MacroParam[];
  kind: 'partial' | 'helper';
}

/** What every file of one import shares. */
export interface ImportContext {
  projectName: string;
  /** The project's macros by name (dispatch implementations `postgres__x` and `default__x` included). */
  macros: Map<string, MacroSignature>;
  /** Filters used on values known only when rendering: the helpers to write. */
  runtimeFilters: Set<string>;
}

/** One translated template: Handlebars text, and what could not be translated in it. */
export interface Translation {
  text: string;
  left: ImportIssue[];
  /** Config values with no in-file form (mappings), for the project file's tree at this node's path. */
  movedConfig: Record<string, ConstantValue>;
}

/** A name in scope while translating, and how Handlebars reads it. */
type Binding =
  | { kind: 'const'; value: ConstantValue }
  | { kind: 'alias'; expr: Expr; scope: Scope }
  | { kind: 'block-param' }
  /** A variable of the template's context: a macro's parameter, a generic test's argument. */
  | { kind: 'context'; name: string; depth: number; fallback?: ConstantValue }
  | { kind: 'loop'; depth: number }
  | { kind: 'text'; text: string };

class Scope {
  private readonly bindings = new Map<string, Binding>();

  constructor(private readonly parent?: Scope) {}

  lookup(name: string): Binding | undefined {
    return this.bindings.get(name) ?? this.parent?.lookup(name);
  }

  bind(name: string, binding: Binding): void {
    this.bindings.set(name, binding);
  }

  child(): Scope {
    return new Scope(this);
  }

  /** The names as they are now: what a `{% set %}` value reads, whatever is set after it (`{% set x = x ~ 'a' %}`). */
  snapshot(): Scope {
    const copy = new Scope(this.parent?.snapshot());
    for (const [name, binding] of this.bindings) copy.bind(name, binding);
    return copy;
  }
}

/** A construct with no Handlebars form; caught where a whole tag can be marked. */
class Untranslatable extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** A value translated: known now, or Handlebars that computes it (a literal, a path or a sub-expression). */
type Value = { kind: 'const'; value: ConstantValue } | { kind: 'hbs'; text: string };

/** Names Handlebars would read as tsdbt's helpers rather than as context variables. */
const HELPER_NAMES = new Set(['ref', 'source', 'config', 'var', 'env_var', 'is_incremental', 'list', 'literal', 'eq', 'ne', 'and', 'or', 'not', 'if', 'unless', 'each', 'with', 'lookup', 'log']);
const TARGET_FIELDS = new Set(['name', 'schema', 'type', 'threads', 'profile_name']);
const THIS_FIELDS = new Set(['schema', 'identifier', 'name']);
const LOOP_FIELDS: Record<string, string> = { first: 'first', last: 'last', index0: 'index' };
const COMPARISON_HELPERS: Record<string, string> = { '==': 'eq', '!=': 'ne', and: 'and', or: 'or' };

/** Why calls to dbt's runtime cannot be translated, by the name called. */
const RUNTIME_CALLS: Record<string, string> = {
  run_query: 'runs a query while compiling; tsdbt templates do not read the database',
  statement: 'runs a query while compiling; tsdbt templates do not read the database',
  load_result: 'reads a query result while compiling; tsdbt templates do not read the database',
  log: 'logs while compiling; tsdbt templates have no log call',
  print: 'prints while compiling; tsdbt templates have no print call',
  return: "a macro's return value has no Handlebars form (only a return of text at a macro's top level is translated)",
  exceptions: 'raises errors while compiling; tsdbt templates have no exceptions',
  adapter: "calls dbt's adapter while compiling; tsdbt templates do not read the database",
  api: "builds relations with dbt's api; tsdbt templates have no api object",
  modules: "calls Python modules (datetime, re); write a TypeScript helper in macros/ instead",
  execute: "`execute` is dbt's parse/run switch; tsdbt renders templates the same way in both",
  graph: "reads dbt's graph while compiling; tsdbt templates have no graph object",
  namespace: 'a namespace changed in a loop has no Handlebars form',
  zip: 'zip has no Handlebars form',
  range: 'range over a value known only when rendering has no Handlebars form',
};

/** Translates one Jinja template (a model, a macro body, a hook) into Handlebars. */
export class TemplateTranslator {
  private readonly lines: LineIndex;
  private readonly left: ImportIssue[] = [];
  private readonly movedConfig: Record<string, ConstantValue> = {};
  /** How many `{{#each}}` blocks enclose the current node: context variables are `../` that many times up. */
  private depth = 0;

  constructor(
    private readonly context: ImportContext,
    private readonly file: string,
    private readonly source: string,
    /** Inside a partial or a generic test, whose context is not the model's scope: `this` and `target` go by @root. */
    private readonly inPartial = false,
    /** Where `source` starts in the file, when it is a part of it (a hook string, a macro body). */
    private readonly lineOffset = 0,
  ) {
    this.lines = new LineIndex(source);
  }

  /** Parses and translates a whole template; a syntax error is reported at its place and the text kept marked. */
  static translateTemplate(context: ImportContext, file: string, source: string, lineOffset = 0): Translation {
    const translator = new TemplateTranslator(context, file, source, false, lineOffset);
    let nodes: Node[];
    try {
      nodes = parseTemplate(source);
    } catch (error) {
      if (!(error instanceof JinjaSyntaxError)) throw error;
      translator.report(error.offset, source.slice(error.offset), `Jinja syntax error: ${error.message}`);
      return { text: `${marker('Jinja syntax error')}${escapeText(source)}`, left: translator.left, movedConfig: {} };
    }
    return translator.finish(translator.nodes(nodes, new Scope()));
  }

  finish(text: string): Translation {
    return { text, left: this.left, movedConfig: this.movedConfig };
  }

  /** Nodes of the file (a snapshot's body) in a scope of their own. */
  translateBody(body: Node[]): string {
    return this.nodes(body, new Scope());
  }

  /**
   * A macro's or generic test's body, its parameters bound as context variables (`generate_schema_name`'s by
   * position). A macro's call passes every default; a generic test's arguments come from a property file, so its
   * defaults are applied where the parameter is read.
   */
  macroBody(body: Node[], params: MacroParam[], options: { contextNames?: string[]; defaultsInBody?: boolean } = {}): string {
    const scope = new Scope();
    params.forEach((param, i) => {
      const fallback = options.defaultsInBody && param.fallback ? evaluateConstant(param.fallback, () => undefined)?.value : undefined;
      scope.bind(param.name, { kind: 'context', name: options.contextNames?.[i] ?? param.name, depth: 0, fallback: fallback ?? undefined });
    });
    return this.nodes(body, scope);
  }

  report(offset: number, raw: string, reason: string): void {
    const { line, column } = this.lines.positionOf(offset);
    this.left.push({ file: this.file, line: line + this.lineOffset, column, construct: constructText(raw), reason });
  }

  private nodes(nodes: Node[], scope: Scope): string {
    return nodes.map((node) => this.node(node, scope)).join('');
  }

  private node(node: Node, scope: Scope): string {
    if (node.kind === 'text') return escapeText(node.value);
    try {
      return this.tag(node, scope);
    } catch (error) {
      if (!(error instanceof Untranslatable)) throw error;
      this.report(error.offset ?? node.tag.offset, node.tag.raw, error.message);
      return `${marker(error.message)}${this.leftAsWritten(node, scope)}`;
    }
  }

  /** A construct that could not be translated, as written; the bodies of a block are still translated. */
  private leftAsWritten(node: Exclude<Node, { kind: 'text' }>, scope: Scope): string {
    const head = escapeText(node.tag.raw);
    switch (node.kind) {
      case 'if': {
        const branches = node.branches.map((branch, i) => `${i === 0 ? head : escapeText(branch.tag.raw)}${this.nodes(branch.body, scope.child())}`);
        const otherwise = node.otherwise ? `{% else %}${this.nodes(node.otherwise, scope.child())}` : '';
        return `${branches.join('')}${otherwise}{% endif %}`;
      }
      case 'for': {
        // The loop's names stand for themselves, so the body reports only its own constructs.
        const body = scope.child();
        for (const name of [...node.targets, 'loop']) body.bind(name, { kind: 'block-param' });
        return `${head}${this.nodes(node.body, body)}{% endfor %}`;
      }
      case 'set-block':
        return `${head}${this.nodes(node.body, scope.child())}{% endset %}`;
      case 'macro':
      case 'snapshot':
        return `${head}${escapeText(this.source.slice(node.tag.offset + node.tag.raw.length, nodeEnd(node)))}`;
      case 'other':
        return node.body ? `${head}${this.nodes(node.body, scope.child())}{% end${node.keyword} %}` : head;
      default:
        return head;
    }
  }

  private tag(node: Exclude<Node, { kind: 'text' }>, scope: Scope): string {
    switch (node.kind) {
      case 'output':
        return this.output(node.expr, scope);
      case 'if':
        return this.ifBlock(node, scope);
      case 'for':
        return this.forBlock(node, scope);
      case 'set': {
        if (node.targets.some((target) => target.includes('.'))) throw new Untranslatable('setting an attribute of a namespace has no Handlebars form');
        const known = evaluateConstant(node.value, lookupIn(scope));
        if (node.targets.length === 1) {
          scope.bind(node.targets[0]!, known ? { kind: 'const', value: known.value } : { kind: 'alias', expr: node.value, scope: scope.snapshot() });
          return '';
        }
        if (!known || !Array.isArray(known.value) || known.value.length !== node.targets.length) {
          throw new Untranslatable('unpacking a value known only when rendering has no Handlebars form');
        }
        node.targets.forEach((target, i) => scope.bind(target, { kind: 'const', value: (known.value as ConstantValue[])[i]! }));
        return '';
      }
      case 'set-block':
        scope.bind(node.target, { kind: 'text', text: this.nodes(node.body, scope.child()) });
        return '';
      case 'macro':
        throw new Untranslatable(`a {% ${node.keyword} %} outside the macro paths is not imported: move it to a file under macros/`);
      case 'snapshot':
        throw new Untranslatable('a {% snapshot %} outside the snapshot paths is not imported: move it to a file under snapshots/');
      case 'other':
        if (node.keyword === 'raw') return rawText(node.body!.map((part) => (part.kind === 'text' ? part.value : '')).join(''));
        throw new Untranslatable(otherReason(node.keyword));
    }
  }

  private output(expr: Expr, scope: Scope): string {
    if (expr.kind === 'call') {
      const name = calleeName(expr.callee);
      if (name === 'config') return this.config(expr, scope);
      if (name === 'return' && this.inPartial && expr.args.length === 1) return this.output(expr.args[0]!, scope);
      const partial = this.partialCall(expr, scope);
      if (partial) return partial;
    }
    if (expr.kind === 'name') {
      const binding = scope.lookup(expr.name);
      if (binding?.kind === 'text') return binding.text;
      if (binding?.kind === 'alias') return this.output(binding.expr, binding.scope);
    }
    const value = this.value(expr, scope);
    if (value.kind === 'const') return escapeText(jinjaString(value.value));
    return `{{${value.text.startsWith('(') ? value.text.slice(1, -1) : value.text}}}`;
  }

  /** Branches whose condition is known when importing are chosen or dropped then; the others become {{#if}}. */
  private ifBlock(node: Extract<Node, { kind: 'if' }>, scope: Scope): string {
    // Every condition first, so a failing one leaves no half-translated body behind.
    const tests: Array<{ known: boolean; truthy: boolean; param: string }> = [];
    for (const branch of node.branches) {
      const known = evaluateConstant(branch.test, lookupIn(scope));
      tests.push(known ? { known: true, truthy: truthy(known.value), param: '' } : { known: false, truthy: false, param: this.param(branch.test, scope) });
      if (known && truthy(known.value)) break;
    }
    let text = '';
    let open = false;
    for (const [i, test] of tests.entries()) {
      if (test.known && !test.truthy) continue;
      const body = this.nodes(node.branches[i]!.body, scope.child());
      if (test.known) return open ? `${text}{{else}}${body}{{/if}}` : body;
      text += `${open ? '{{else if ' : '{{#if '}${test.param}}}${body}`;
      open = true;
    }
    const otherwise = node.otherwise ? this.nodes(node.otherwise, scope.child()) : '';
    if (!open) return otherwise;
    return `${text}${node.otherwise ? `{{else}}${otherwise}` : ''}{{/if}}`;
  }

  private forBlock(node: Extract<Node, { kind: 'for' }>, scope: Scope): string {
    const known = evaluateConstant(node.iterable, lookupIn(scope));
    const items = known && (Array.isArray(known.value) ? known.value : undefined);
    if (node.targets.length > 1 || (items && items.some((item) => item !== null && typeof item === 'object'))) {
      // Tuples and mappings: unrolled now, each item's names bound to its values.
      if (!items) throw new Untranslatable('a loop unpacking values known only when rendering has no Handlebars form', node.iterable.offset);
      return items.map((item, i) => this.nodes(node.body, this.unpacked(node.targets, item, scope, loopValues(i, items.length)))).join('');
    }
    const iterable = items ? literal(items) : this.param(node.iterable, scope);
    const before = this.left.length;
    const body = scope.child();
    body.bind(node.targets[0]!, { kind: 'block-param' });
    this.depth++;
    body.bind('loop', { kind: 'loop', depth: this.depth });
    const inner = this.nodes(node.body, body);
    this.depth--;
    const otherwise = node.otherwise ? `{{else}}${this.nodes(node.otherwise, scope.child())}` : '';
    const each = `{{#each ${iterable} as |${node.targets[0]}|}}${inner}${otherwise}{{/each}}`;
    if (!items || this.left.length === before) return each;
    // Over a list known now, a body that needs its item as a value known now (`m + '_amount'` passed to a macro) is
    // unrolled, item by item, when that leaves less untranslated.
    const eachLeft = this.left.splice(before);
    const unrolled = items.length === 0 && node.otherwise ? this.nodes(node.otherwise, scope.child()) : items.map((item, i) => this.nodes(node.body, this.unpacked(node.targets, item, scope, loopValues(i, items.length)))).join('');
    if (this.left.length - before < eachLeft.length) return unrolled;
    this.left.splice(before, this.left.length - before, ...eachLeft);
    return each;
  }

  private unpacked(targets: string[], item: ConstantValue, scope: Scope, loop: ConstantValue): Scope {
    const inner = scope.child();
    inner.bind('loop', { kind: 'const', value: loop });
    if (targets.length === 1) inner.bind(targets[0]!, { kind: 'const', value: item });
    else if (Array.isArray(item) && item.length === targets.length) targets.forEach((target, i) => inner.bind(target, { kind: 'const', value: item[i]! }));
    else throw new Untranslatable(`cannot unpack ${jinjaString(item)} into ${targets.join(', ')}`);
    return inner;
  }

  /** `{{ config(...) }}`: every key tsdbt knows, in Handlebars; a mapping goes to the project file. */
  private config(call: Extract<Expr, { kind: 'call' }>, scope: Scope): string {
    const [first, ...rest] = call.args;
    if (rest.length > 0 || (first && first.kind !== 'dict')) throw new Untranslatable('config() with a positional argument other than a mapping: write its keys as key=value');
    // config({'materialized': 'table'}) is config(materialized='table').
    const entries = first?.kind === 'dict' ? first.entries.map(([key, value]): [string, Expr] => [key.kind === 'literal' ? String(key.value) : '', value]) : [];
    const pairs: string[] = [];
    for (const [key, valueExpr] of [...entries, ...call.kwargs]) {
      if (!nodeConfigKeys.has(key)) {
        this.report(this.source.lastIndexOf(key, valueExpr.offset), `${key}=...`, `config key '${key}' is not known to tsdbt: left out`);
        continue;
      }
      const known = evaluateConstant(valueExpr, lookupIn(scope));
      if (known && hasMapping(known.value)) {
        this.movedConfig[key] = known.value;
        continue;
      }
      const value = known && isHook(key) ? { kind: 'const' as const, value: this.hookValue(known.value) } : undefined;
      pairs.push(`${key}=${this.param(valueExpr, scope, value)}`);
    }
    return pairs.length > 0 ? `{{config ${pairs.join(' ')}}}` : '';
  }

  /** Hooks are templates: Jinja in them is translated too. */
  private hookValue(value: ConstantValue): ConstantValue {
    if (Array.isArray(value)) return value.map((item) => this.hookValue(item));
    if (typeof value !== 'string' || !/\{[{%#]/.test(value)) return value;
    const nested = TemplateTranslator.translateTemplate(this.context, this.file, value);
    this.left.push(...nested.left);
    return nested.text;
  }

  /** A call to a project macro, or to its Postgres implementation through adapter.dispatch, written out. */
  private partialCall(call: Extract<Expr, { kind: 'call' }>, scope: Scope): string | undefined {
    const macro = this.macroCalled(call);
    if (!macro) return undefined;
    const args = this.macroArguments(macro, call, scope);
    if (macro.kind === 'helper') return `{{${macro.name}${args.map(([, value]) => ` ${value}`).join('')}}}`;
    // A parameter nothing gives is null, as Jinja leaves it undefined: a partial sees its caller's names otherwise.
    return `{{> ${macro.name}${args.map(([name, value]) => ` ${name}=${value === 'undefined' ? 'null' : value}`).join('')}}}`;
  }

  /** The project macro a call names: directly, with the project's name before it (shop.cents), or by dispatch. */
  private macroCalled(call: Extract<Expr, { kind: 'call' }>): MacroSignature | undefined {
    const called = calleeName(call.callee);
    const name = dispatchedName(call.callee, this.context) ?? (called?.startsWith(`${this.context.projectName}.`) ? called.slice(this.context.projectName.length + 1) : called);
    return name === undefined ? undefined : this.context.macros.get(name);
  }

  /** A macro call's arguments by parameter, in order, defaults filled in (`undefined` where neither is given). */
  private macroArguments(macro: MacroSignature, call: Extract<Expr, { kind: 'call' }>, scope: Scope): Array<[string, string]> {
    if (call.args.length > macro.params.length) throw new Untranslatable(`macro '${macro.name}' takes ${macro.params.length} arguments, got ${call.args.length}`, call.offset);
    const unknown = call.kwargs.find(([key]) => !macro.params.some((param) => param.name === key));
    if (unknown) throw new Untranslatable(`macro '${macro.name}' has no parameter '${unknown[0]}'`, call.offset);
    const args = macro.params.map((param, i): [string, string] => {
      const given = call.args[i] ?? call.kwargs.find(([key]) => key === param.name)?.[1];
      if (given) return [param.name, this.param(given, scope)];
      return [param.name, param.fallback ? this.param(param.fallback, new Scope()) : 'undefined'];
    });
    // A helper's trailing arguments that nothing gives are left out, as Jinja leaves them undefined.
    while (macro.kind === 'helper' && args.at(-1)?.[1] === 'undefined') args.pop();
    return args;
  }

  /** dbt's own macro with a known PostgreSQL rendering (`dbt.type_string()`), unless the project has its own of that name. */
  private knownMacro(expr: Expr, scope: Scope): string | undefined {
    if (expr.kind !== 'call') return undefined;
    const name = calleeName(expr.callee);
    if (!name || this.context.macros.has(name)) return undefined;
    // Arguments may be such calls too: safe_cast('x', type_string()).
    const args = expr.args.map((arg) => evaluateConstant(arg, lookupIn(scope))?.value ?? this.knownMacro(arg, scope));
    return knownDbtMacro(name, args, expr.kwargs.length > 0);
  }

  /** An expression as a Handlebars parameter: a literal, a path or a sub-expression. */
  private param(expr: Expr, scope: Scope, known?: Value): string {
    const value = known ?? this.value(expr, scope);
    return value.kind === 'hbs' ? value.text : literal(value.value);
  }

  private value(expr: Expr, scope: Scope): Value {
    const known = evaluateConstant(expr, lookupIn(scope));
    if (known) return { kind: 'const', value: known.value };
    const rendered = this.knownMacro(expr, scope);
    if (rendered !== undefined) return { kind: 'const', value: rendered };
    return { kind: 'hbs', text: this.dynamic(expr, scope) };
  }

  private dynamic(expr: Expr, scope: Scope): string {
    switch (expr.kind) {
      case 'name':
        return this.name(expr, scope);
      case 'attr':
        return this.attribute(expr, scope);
      case 'call':
        return this.call(expr, scope);
      case 'list':
        return `(list ${expr.items.map((item) => this.param(item, scope)).join(' ')})`;
      case 'binary': {
        const helper = COMPARISON_HELPERS[expr.op];
        if (helper) return `(${helper} ${this.param(expr.left, scope)} ${this.param(expr.right, scope)})`;
        const operator = operatorHelper(expr.op === 'not in' ? 'in' : expr.op);
        if (!operator) throw new Untranslatable(`the operator '${expr.op}' on values known only when rendering has no Handlebars helper`, expr.offset);
        this.context.runtimeFilters.add(operator);
        const call = `(${filterHelperName(operator)} ${this.param(expr.left, scope)} ${this.param(expr.right, scope)})`;
        return expr.op === 'not in' ? `(not ${call})` : call;
      }
      case 'unary':
        if (expr.op !== 'not') throw new Untranslatable(`the operator '${expr.op}' on values known only when rendering has no Handlebars helper`, expr.offset);
        return `(not ${this.param(expr.operand, scope)})`;
      case 'test':
        if (expr.name !== 'none') throw new Untranslatable(`the test 'is ${expr.name}' on values known only when rendering has no Handlebars helper`, expr.offset);
        return `(${expr.negated ? 'ne' : 'eq'} ${this.param(expr.value, scope)} null)`;
      case 'filter': {
        if (!RUNTIME_FILTERS.has(expr.name) || expr.kwargs.length > 0) {
          const known = CONSTANT_FILTERS.has(expr.name) ? ' (only on values known when importing)' : '';
          throw new Untranslatable(`the filter '${expr.name}' has no Handlebars helper${known}`, expr.offset);
        }
        this.context.runtimeFilters.add(expr.name);
        return `(${filterHelperName(expr.name)} ${[expr.value, ...expr.args].map((arg) => this.param(arg, scope)).join(' ')})`;
      }
      case 'dict':
        throw new Untranslatable('a mapping has no Handlebars form', expr.offset);
      case 'cond':
        throw new Untranslatable("an inline 'x if c else y' on values known only when rendering has no Handlebars form: use {% if %}", expr.offset);
      default:
        throw new Untranslatable(`indexing a value known only when rendering has no Handlebars form`, expr.offset);
    }
  }

  private name(expr: Extract<Expr, { kind: 'name' }>, scope: Scope): string {
    const binding = scope.lookup(expr.name);
    if (!binding) {
      if (expr.name === 'this') return this.depth > 0 || this.inPartial ? '@root' : 'this';
      throw new Untranslatable(RUNTIME_CALLS[expr.name] ?? `'${expr.name}' is not a variable tsdbt templates know`, expr.offset);
    }
    switch (binding.kind) {
      case 'block-param':
        return expr.name;
      case 'context': {
        const up = '../'.repeat(this.depth - binding.depth);
        const path = up === '' && HELPER_NAMES.has(binding.name) ? `this.${binding.name}` : `${up}${binding.name}`;
        if (binding.fallback === undefined) return path;
        this.context.runtimeFilters.add('default');
        return `(${filterHelperName('default')} ${path} ${literal(binding.fallback)})`;
      }
      case 'alias': {
        const value = this.value(binding.expr, binding.scope);
        return value.kind === 'hbs' ? value.text : literal(value.value);
      }
      case 'text':
        throw new Untranslatable(`'${expr.name}' is set by a {% set %} block: it can only be written out, not used in an expression`, expr.offset);
      case 'loop':
        throw new Untranslatable('the loop object itself has no Handlebars form: use loop.first, loop.last or loop.index0', expr.offset);
      default:
        throw new Untranslatable(`'${expr.name}' has no Handlebars form`, expr.offset);
    }
  }

  private attribute(expr: Extract<Expr, { kind: 'attr' }>, scope: Scope): string {
    const object = expr.object;
    if (object.kind === 'name' && !scope.lookup(object.name)) {
      const root = this.depth > 0 || this.inPartial ? '@root.' : '';
      if (object.name === 'target') {
        if (TARGET_FIELDS.has(expr.name)) return `${root}target.${expr.name}`;
        throw new Untranslatable(`target.${expr.name} is not known to tsdbt templates (they know target.${[...TARGET_FIELDS].join(', target.')})`, expr.offset);
      }
      if (object.name === 'this') {
        if (THIS_FIELDS.has(expr.name)) return root ? `@root.${expr.name}` : `this.${expr.name}`;
        throw new Untranslatable(`this.${expr.name} is not known to tsdbt templates (they know this.schema, this.identifier, this.name)`, expr.offset);
      }
    }
    if (object.kind === 'name') {
      const binding = scope.lookup(object.name);
      if (binding?.kind === 'loop') {
        const up = '../'.repeat(this.depth - binding.depth);
        if (expr.name === 'index') {
          // 1-based, where Handlebars counts from 0.
          this.context.runtimeFilters.add('add');
          return `(${filterHelperName('add')} @${up}index 1)`;
        }
        const field = LOOP_FIELDS[expr.name];
        if (!field) throw new Untranslatable(`loop.${expr.name} has no Handlebars form (loop.first, loop.last, loop.index and loop.index0 do)`, expr.offset);
        return `@${up}${field}`;
      }
    }
    const base = this.dynamic(object, scope);
    if (base.startsWith('(')) throw new Untranslatable(`reading .${expr.name} of a call's result has no Handlebars form`, expr.offset);
    return base === 'this' ? `this.${expr.name}` : `${base}.${expr.name}`;
  }

  private call(expr: Extract<Expr, { kind: 'call' }>, scope: Scope): string {
    const name = calleeName(expr.callee);
    const args = () => expr.args.map((arg) => this.param(arg, scope));
    const noKeywords = () => {
      if (expr.kwargs.length > 0) throw new Untranslatable(`${name}() with keyword arguments has no tsdbt form`, expr.offset);
    };
    switch (name) {
      case 'ref': {
        noKeywords();
        const values = expr.args.map((arg) => evaluateConstant(arg, lookupIn(scope))?.value);
        if (expr.args.length === 2) {
          if (values[0] !== this.context.projectName) throw new Untranslatable(`a ref to package '${jinjaString(values[0] ?? '?')}' : tsdbt projects have no packages`, expr.offset);
          return `(ref ${this.param(expr.args[1]!, scope)})`;
        }
        if (expr.args.length !== 1) throw new Untranslatable('ref() takes a model name', expr.offset);
        return `(ref ${args().join(' ')})`;
      }
      case 'source':
        noKeywords();
        if (expr.args.length !== 2) throw new Untranslatable('source() takes a source and a table', expr.offset);
        return `(source ${args().join(' ')})`;
      case 'var':
      case 'env_var': {
        const all = [...expr.args, ...expr.kwargs.filter(([key]) => key === 'default').map(([, value]) => value)];
        if (all.length < 1 || all.length > 2 || all.length !== expr.args.length + expr.kwargs.length) throw new Untranslatable(`${name}() takes a name and a default`, expr.offset);
        return `(${name} ${all.map((arg) => this.param(arg, scope)).join(' ')})`;
      }
      case 'is_incremental':
        return '(is_incremental)';
      case 'config':
        throw new Untranslatable('config() inside an expression has no tsdbt form: call it on its own, {{ config(...) }}', expr.offset);
    }
    if (name?.startsWith('dbt_utils.')) {
      const pairs = expr.kwargs.filter(([, value]) => !(value.kind === 'literal' && value.value === null)).map(([key, value]) => `${key}=${this.param(value, scope)}`);
      return `(${name}${[...args(), ...pairs].map((part) => ` ${part}`).join('')})`;
    }
    const macro = this.macroCalled(expr);
    if (macro?.kind === 'helper') return `(${macro.name}${this.macroArguments(macro, expr, scope).map(([, value]) => ` ${value}`).join('')})`;
    if (macro) throw new Untranslatable(`the result of macro '${macro.name}' used inside an expression has no Handlebars form (it is a partial, written out where it is called)`, expr.offset);
    const root = rootName(expr.callee);
    throw new Untranslatable(RUNTIME_CALLS[root ?? ''] ?? `'${name ?? 'this call'}' is not a macro of the project nor a function tsdbt knows`, expr.offset);
  }
}

/** The dotted name called (`ref`, `dbt_utils.star`), or undefined for a computed callee. */
function calleeName(callee: Expr): string | undefined {
  if (callee.kind === 'name') return callee.name;
  if (callee.kind === 'attr') {
    const object = calleeName(callee.object);
    return object === undefined ? undefined : `${object}.${callee.name}`;
  }
  return undefined;
}

function rootName(callee: Expr): string | undefined {
  if (callee.kind === 'name') return callee.name;
  if (callee.kind === 'attr' || callee.kind === 'call') return rootName(callee.kind === 'attr' ? callee.object : callee.callee);
  return undefined;
}

/** `adapter.dispatch('x', 'pkg')`: the project's `postgres__x`, else its `default__x`. */
function dispatchedName(callee: Expr, context: ImportContext): string | undefined {
  if (callee.kind !== 'call' || calleeName(callee.callee) !== 'adapter.dispatch') return undefined;
  const first = callee.args[0];
  if (first?.kind !== 'literal' || typeof first.value !== 'string') return undefined;
  return ['postgres__', 'default__'].map((prefix) => `${prefix}${first.value as string}`).find((name) => context.macros.has(name));
}

/** Jinja's `loop` of an unrolled loop's i-th item. */
function loopValues(index0: number, length: number): ConstantValue {
  return { index0, index: index0 + 1, first: index0 === 0, last: index0 === length - 1, length, revindex: length - index0, revindex0: length - index0 - 1 };
}

/** Where a block ends in the source: the end of its last body node (its end tag is not kept). */
function nodeEnd(node: Extract<Node, { kind: 'macro' | 'snapshot' }>): number {
  const last = node.body.at(-1);
  if (!last) return node.tag.offset + node.tag.raw.length;
  return last.kind === 'text' ? last.offset + last.value.length : last.tag.offset + last.tag.raw.length;
}

function lookupIn(scope: Scope): (name: string) => { value: ConstantValue } | undefined {
  return (name) => {
    const binding = scope.lookup(name);
    if (binding?.kind === 'const') return { value: binding.value };
    if (binding?.kind === 'alias') return evaluateConstant(binding.expr, lookupIn(binding.scope));
    return undefined;
  };
}

function hasMapping(value: ConstantValue): boolean {
  if (Array.isArray(value)) return value.some(hasMapping);
  return value !== null && typeof value === 'object';
}

function isHook(key: string): boolean {
  return ['pre_hook', 'post_hook', 'pre-hook', 'post-hook'].includes(key);
}

/** A value known when importing, as a Handlebars literal. */
function literal(value: ConstantValue): string {
  // Handlebars strings know one escape, \": a newline or a backslash is written as it is.
  if (typeof value === 'string') return `"${value.replaceAll('"', '\\"')}"`;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `(list${value.map((item) => ` ${literal(item)}`).join('')})`;
  throw new Untranslatable('a mapping has no Handlebars form');
}

/** SQL text as Handlebars text: a `{{` in it is not a call. */
export function escapeText(text: string): string {
  return text.replaceAll('{{', '\\{{');
}

/** A `{% raw %}` block's text: in a Handlebars raw block when it holds what would read as Jinja (`{%`, `{#`). */
function rawText(text: string): string {
  return /\{[%#]/.test(text) && !text.includes('{{{{/raw}}}}') ? `{{{{raw}}}}${text}{{{{/raw}}}}` : escapeText(text);
}

/** The comment put before a construct left as written. */
export function marker(reason: string): string {
  return `{{!-- TSDBT-IMPORT: not translated: ${reason.replaceAll('--', '-')} --}}`;
}

function otherReason(keyword: string): string {
  const reasons: Record<string, string> = {
    call: '{% call %} blocks (statement, run_query) run queries while compiling; tsdbt templates do not read the database',
    materialization: 'custom materializations are TypeScript modules in tsdbt (src/materializations/), not templates',
    docs: '{% docs %} blocks belong in .md files under the model paths',
    do: '{% do %} changes values while rendering; Handlebars templates cannot',
    import: '{% import %} of macros has no Handlebars form: the project\'s macros are partials already',
    from: '{% from ... import %} of macros has no Handlebars form: the project\'s macros are partials already',
  };
  return reasons[keyword] ?? `{% ${keyword} %} has no Handlebars form`;
}
