import { JinjaSyntaxError, tokenizeTemplate, type ExprToken, type TemplateToken } from './jinja-lexer.js';

/** The subset of Jinja that dbt projects write, as a tree; each node keeps its offset in the template. */
export type Literal = string | number | boolean | null;

export type Expr =
  | { kind: 'literal'; value: Literal; offset: number }
  | { kind: 'list'; items: Expr[]; offset: number }
  | { kind: 'dict'; entries: Array<[Expr, Expr]>; offset: number }
  | { kind: 'name'; name: string; offset: number }
  | { kind: 'attr'; object: Expr; name: string; offset: number }
  | { kind: 'index'; object: Expr; index: Expr; offset: number }
  | { kind: 'call'; callee: Expr; args: Expr[]; kwargs: Array<[string, Expr]>; offset: number }
  | { kind: 'filter'; value: Expr; name: string; args: Expr[]; kwargs: Array<[string, Expr]>; offset: number }
  | { kind: 'test'; value: Expr; name: string; negated: boolean; args: Expr[]; offset: number }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; offset: number }
  | { kind: 'unary'; op: string; operand: Expr; offset: number }
  | { kind: 'cond'; test: Expr; then: Expr; otherwise: Expr | undefined; offset: number };

/** A tag as written: where it is and its text, for reports and for marking what was not translated. */
export interface Tag {
  offset: number;
  raw: string;
}

export interface MacroParam {
  name: string;
  fallback?: Expr;
}

export type Node =
  | { kind: 'text'; value: string; offset: number }
  | { kind: 'output'; expr: Expr; tag: Tag }
  | { kind: 'if'; branches: Array<{ test: Expr; body: Node[]; tag: Tag }>; otherwise: Node[] | undefined; tag: Tag }
  | { kind: 'for'; targets: string[]; iterable: Expr; body: Node[]; otherwise: Node[] | undefined; tag: Tag }
  | { kind: 'set'; targets: string[]; value: Expr; tag: Tag }
  | { kind: 'set-block'; target: string; body: Node[]; tag: Tag }
  /** `{% macro %}` and `{% test %}` (a generic test): a name, parameters with defaults, a body. */
  | { kind: 'macro'; keyword: 'macro' | 'test'; name: string; params: MacroParam[]; body: Node[]; tag: Tag }
  | { kind: 'snapshot'; name: string; body: Node[]; tag: Tag }
  /** Any other block (`call`, `materialization`, `docs`, `filter`...) or statement (`do`, `import`...), kept whole. */
  | { kind: 'other'; keyword: string; body: Node[] | undefined; tag: Tag };

const BLOCKS_WITHOUT_TRANSLATION = new Set(['call', 'materialization', 'docs', 'filter', 'block', 'with', 'autoescape', 'trans']);

export function parseTemplate(source: string): Node[] {
  const tokens = tokenizeTemplate(source);
  applyWhitespaceControl(tokens);
  const parser = new TemplateParser(tokens);
  const nodes = parser.parseUntil([]);
  return nodes;
}

/** `{%-` strips the whitespace before a tag, `-%}` the whitespace after it. */
function applyWhitespaceControl(tokens: TemplateToken[]): void {
  tokens.forEach((token, i) => {
    if (token.kind === 'text') return;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (token.trimBefore && before?.kind === 'text') before.value = before.value.trimEnd();
    if (token.trimAfter && after?.kind === 'text') {
      const trimmed = after.value.trimStart();
      after.offset += after.value.length - trimmed.length;
      after.value = trimmed;
    }
  });
}

class TemplateParser {
  private index = 0;

  constructor(private readonly tokens: TemplateToken[]) {}

  /** Nodes up to one of the `ends` keywords (left unconsumed), or to the end of the template when `ends` is empty. */
  parseUntil(ends: string[]): Node[] {
    const nodes: Node[] = [];
    while (this.index < this.tokens.length) {
      const token = this.tokens[this.index]!;
      if (token.kind === 'text') {
        this.index++;
        if (token.value) nodes.push({ kind: 'text', value: token.value, offset: token.offset });
        continue;
      }
      if (token.kind === 'comment') {
        this.index++;
        continue;
      }
      const tag = { offset: token.offset, raw: token.raw };
      if (token.kind === 'output') {
        this.index++;
        nodes.push({ kind: 'output', expr: parseExpression(token.tokens, token.offset), tag });
        continue;
      }
      const keyword = token.tokens[0]?.value ?? '';
      if (ends.includes(keyword)) return nodes;
      this.index++;
      nodes.push(this.statement(keyword, token.tokens, tag));
    }
    if (ends.length > 0) throw new JinjaSyntaxError(`a block is never closed with {% ${ends.at(-1)} %}`, this.tokens.at(-1)?.offset ?? 0);
    return nodes;
  }

  private statement(keyword: string, tokens: ExprToken[], tag: Tag): Node {
    const cursor = new ExprCursor(tokens.slice(1), tag.offset);
    switch (keyword) {
      case 'if':
        return this.ifBlock(cursor, tag);
      case 'for': {
        const targets = nameList(cursor);
        cursor.expect('in');
        const iterable = cursor.expression();
        cursor.end();
        const body = this.parseUntil(['else', 'endfor']);
        const otherwise = this.keyword() === 'else' ? (this.index++, this.parseUntil(['endfor'])) : undefined;
        this.index++;
        return { kind: 'for', targets, iterable, body, otherwise, tag };
      }
      case 'set': {
        const targets = nameList(cursor);
        if (cursor.done()) {
          const body = this.parseUntil(['endset']);
          this.index++;
          return { kind: 'set-block', target: targets[0]!, body, tag };
        }
        cursor.expect('=');
        const value = cursor.expression();
        cursor.end();
        return { kind: 'set', targets, value, tag };
      }
      case 'macro':
      case 'test': {
        const name = cursor.name();
        const params = cursor.peek('(') ? macroParams(cursor) : [];
        const body = this.parseUntil([`end${keyword}`]);
        this.index++;
        return { kind: 'macro', keyword, name, params, body, tag };
      }
      case 'snapshot': {
        const name = cursor.name();
        const body = this.parseUntil(['endsnapshot']);
        this.index++;
        return { kind: 'snapshot', name, body, tag };
      }
      case 'raw': {
        const body = this.parseUntil(['endraw']);
        this.index++;
        return { kind: 'other', keyword, body, tag };
      }
      default: {
        if (!BLOCKS_WITHOUT_TRANSLATION.has(keyword)) return { kind: 'other', keyword, body: undefined, tag };
        const body = this.parseUntil([`end${keyword}`]);
        this.index++;
        return { kind: 'other', keyword, body, tag };
      }
    }
  }

  private ifBlock(cursor: ExprCursor, tag: Tag): Node {
    const branches: Array<{ test: Expr; body: Node[]; tag: Tag }> = [];
    let test = cursor.expression();
    let branchTag = tag;
    cursor.end();
    for (;;) {
      branches.push({ test, body: this.parseUntil(['elif', 'else', 'endif']), tag: branchTag });
      const token = this.tokens[this.index] as Extract<TemplateToken, { kind: 'statement' }>;
      this.index++;
      const keyword = token.tokens[0]!.value;
      if (keyword === 'endif') return { kind: 'if', branches, otherwise: undefined, tag };
      if (keyword === 'else') {
        const otherwise = this.parseUntil(['endif']);
        this.index++;
        return { kind: 'if', branches, otherwise, tag };
      }
      branchTag = { offset: token.offset, raw: token.raw };
      const elif = new ExprCursor(token.tokens.slice(1), token.offset);
      test = elif.expression();
      elif.end();
    }
  }

  private keyword(): string | undefined {
    const token = this.tokens[this.index];
    return token?.kind === 'statement' ? token.tokens[0]?.value : undefined;
  }
}

/** The names a `for` or `set` binds; `ns.attr` (a namespace's attribute) is kept dotted. */
function nameList(cursor: ExprCursor): string[] {
  const dotted = () => {
    let name = cursor.name();
    while (cursor.accept('.')) name += `.${cursor.name()}`;
    return name;
  };
  const names = [dotted()];
  while (cursor.accept(',')) names.push(dotted());
  return names;
}

function macroParams(cursor: ExprCursor): MacroParam[] {
  cursor.expect('(');
  const params: MacroParam[] = [];
  while (!cursor.accept(')')) {
    const name = cursor.name();
    params.push(cursor.accept('=') ? { name, fallback: cursor.expression() } : { name });
    if (!cursor.peek(')')) cursor.expect(',');
  }
  return params;
}

export function parseExpression(tokens: ExprToken[], offset: number): Expr {
  const cursor = new ExprCursor(tokens, offset);
  const expr = cursor.expression();
  cursor.end();
  return expr;
}

const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=']);
/** Python's string methods that Jinja's filters mirror: `x.lower()` is read as `x | lower`. */
const METHOD_FILTERS: Record<string, string> = { lower: 'lower', upper: 'upper', strip: 'trim', replace: 'replace', title: 'title', capitalize: 'capitalize' };

/** A recursive-descent parser of Jinja expressions, with Jinja's precedence. */
class ExprCursor {
  private index = 0;

  constructor(
    private readonly tokens: ExprToken[],
    private readonly tagOffset: number,
  ) {}

  done(): boolean {
    return this.index >= this.tokens.length;
  }

  peek(value: string, ahead = 0): boolean {
    const token = this.tokens[this.index + ahead];
    return token !== undefined && token.value === value && token.kind !== 'string';
  }

  accept(value: string): boolean {
    if (!this.peek(value)) return false;
    this.index++;
    return true;
  }

  expect(value: string): void {
    if (!this.accept(value)) this.fail(`expected '${value}'`);
  }

  end(): void {
    if (!this.done()) this.fail(`unexpected '${this.tokens[this.index]!.value}'`);
  }

  name(): string {
    const token = this.tokens[this.index];
    if (token?.kind !== 'name') this.fail('expected a name');
    this.index++;
    return token!.value;
  }

  private offset(): number {
    return this.tokens[this.index]?.offset ?? this.tokens.at(-1)?.offset ?? this.tagOffset;
  }

  private fail(message: string): never {
    throw new JinjaSyntaxError(message, this.offset());
  }

  expression(): Expr {
    const offset = this.offset();
    const value = this.or();
    if (!this.accept('if')) return value;
    const test = this.or();
    const otherwise = this.accept('else') ? this.expression() : undefined;
    return { kind: 'cond', test, then: value, otherwise, offset };
  }

  private or(): Expr {
    let left = this.and();
    while (this.peek('or')) {
      const offset = this.offset();
      this.index++;
      left = { kind: 'binary', op: 'or', left, right: this.and(), offset };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.peek('and')) {
      const offset = this.offset();
      this.index++;
      left = { kind: 'binary', op: 'and', left, right: this.not(), offset };
    }
    return left;
  }

  private not(): Expr {
    if (this.peek('not')) {
      const offset = this.offset();
      this.index++;
      return { kind: 'unary', op: 'not', operand: this.not(), offset };
    }
    return this.compare();
  }

  private compare(): Expr {
    let left = this.math(0);
    for (;;) {
      const offset = this.offset();
      const token = this.tokens[this.index];
      if (token?.kind === 'op' && COMPARISONS.has(token.value)) {
        this.index++;
        left = { kind: 'binary', op: token.value, left, right: this.math(0), offset };
      } else if (this.peek('in')) {
        this.index++;
        left = { kind: 'binary', op: 'in', left, right: this.math(0), offset };
      } else if (this.peek('not') && this.peek('in', 1)) {
        this.index += 2;
        left = { kind: 'binary', op: 'not in', left, right: this.math(0), offset };
      } else if (this.peek('is')) {
        this.index++;
        const negated = this.accept('not');
        const name = this.name();
        const args = this.peek('(') ? this.callArguments().args : [];
        left = { kind: 'test', value: left, name, negated, args, offset };
      } else return left;
    }
  }

  /** Binary arithmetic by level: + -, then ~, then * / // %, then **. */
  private math(level: number): Expr {
    const levels = [['+', '-'], ['~'], ['*', '/', '//', '%'], ['**']];
    if (level === levels.length) return this.unary();
    let left = this.math(level + 1);
    for (;;) {
      const token = this.tokens[this.index];
      if (token?.kind !== 'op' || !levels[level]!.includes(token.value)) return left;
      this.index++;
      left = { kind: 'binary', op: token.value, left, right: this.math(level + 1), offset: token.offset };
    }
  }

  private unary(): Expr {
    const token = this.tokens[this.index];
    if (token?.kind === 'op' && (token.value === '-' || token.value === '+')) {
      this.index++;
      return this.filters({ kind: 'unary', op: token.value, operand: this.unary(), offset: token.offset });
    }
    return this.filters(this.postfix(this.primary()));
  }

  private filters(value: Expr): Expr {
    let result = value;
    while (this.peek('|')) {
      const offset = this.offset();
      this.index++;
      const name = this.name();
      const { args, kwargs } = this.peek('(') ? this.callArguments() : { args: [], kwargs: [] };
      result = { kind: 'filter', value: result, name, args, kwargs, offset };
    }
    return result;
  }

  private postfix(value: Expr): Expr {
    let result = value;
    for (;;) {
      const offset = this.offset();
      if (this.accept('.')) result = { kind: 'attr', object: result, name: this.name(), offset };
      else if (this.peek('(')) {
        const call = this.callArguments();
        const filter = result.kind === 'attr' ? METHOD_FILTERS[result.name] : undefined;
        result =
          filter && result.kind === 'attr' && call.kwargs.length === 0
            ? { kind: 'filter', value: result.object, name: filter, args: call.args, kwargs: [], offset: result.offset }
            : { kind: 'call', callee: result, ...call, offset: result.offset };
      }
      else if (this.accept('[')) {
        const index = this.expression();
        this.expect(']');
        result = { kind: 'index', object: result, index, offset };
      } else return result;
    }
  }

  private callArguments(): { args: Expr[]; kwargs: Array<[string, Expr]> } {
    this.expect('(');
    const args: Expr[] = [];
    const kwargs: Array<[string, Expr]> = [];
    while (!this.accept(')')) {
      const token = this.tokens[this.index];
      if (token?.kind === 'name' && this.peek('=', 1)) {
        this.index += 2;
        kwargs.push([token.value, this.expression()]);
      } else args.push(this.expression());
      if (!this.peek(')')) this.expect(',');
    }
    return { args, kwargs };
  }

  private primary(): Expr {
    const token = this.tokens[this.index];
    if (!token) this.fail('expected an expression');
    const offset = token!.offset;
    this.index++;
    if (token!.kind === 'string') {
      let value = token!.value;
      // Adjacent string literals are one string, as in Python.
      while (this.tokens[this.index]?.kind === 'string') value += this.tokens[this.index++]!.value;
      return { kind: 'literal', value, offset };
    }
    if (token!.kind === 'number') return { kind: 'literal', value: Number(token!.value), offset };
    if (token!.kind === 'name') {
      const constants: Record<string, Literal> = { true: true, True: true, false: false, False: false, none: null, None: null };
      if (token!.value in constants) return { kind: 'literal', value: constants[token!.value]!, offset };
      return { kind: 'name', name: token!.value, offset };
    }
    if (token!.value === '(') {
      const first = this.expression();
      if (!this.accept(',')) {
        this.expect(')');
        return first;
      }
      const items = [first, ...this.sequence(')')];
      return { kind: 'list', items, offset };
    }
    if (token!.value === '[') return { kind: 'list', items: this.sequence(']'), offset };
    if (token!.value === '{') {
      const entries: Array<[Expr, Expr]> = [];
      while (!this.accept('}')) {
        const key = this.expression();
        this.expect(':');
        entries.push([key, this.expression()]);
        if (!this.peek('}')) this.expect(',');
      }
      return { kind: 'dict', entries, offset };
    }
    this.index--;
    this.fail(`unexpected '${token!.value}'`);
  }

  private sequence(close: string): Expr[] {
    const items: Expr[] = [];
    while (!this.accept(close)) {
      items.push(this.expression());
      if (!this.peek(close)) this.expect(',');
    }
    return items;
  }
}
