/**
 * Splits a Jinja template into text, `{{ }}` outputs, `{% %}` statements and `{# #}` comments, and an expression into
 * tokens. Whitespace control (`{%-`, `-%}`) is kept on each tag; the parser applies it to the text beside it.
 */

export class JinjaSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export type ExprTokenKind = 'name' | 'string' | 'number' | 'op';

export interface ExprToken {
  kind: ExprTokenKind;
  value: string;
  offset: number;
}

interface TagBase {
  /** Offset of the tag's opening brace in the template. */
  offset: number;
  /** The whole tag as written, for reports and markers. */
  raw: string;
  trimBefore: boolean;
  trimAfter: boolean;
}

export type TemplateToken =
  | { kind: 'text'; value: string; offset: number }
  | (TagBase & { kind: 'output'; tokens: ExprToken[] })
  | (TagBase & { kind: 'statement'; tokens: ExprToken[] })
  | (TagBase & { kind: 'comment' });

const OPENERS = /\{\{|\{%|\{#/g;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', '(', ')', '[', ']', '{', '}', ',', ':', '.', '|', '=', '<', '>', '+', '-', '*', '/', '%', '~'];

export function tokenizeTemplate(source: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let position = 0;
  const pushText = (end: number) => {
    if (end > position) tokens.push({ kind: 'text', value: source.slice(position, end), offset: position });
  };
  for (;;) {
    OPENERS.lastIndex = position;
    const open = OPENERS.exec(source);
    if (!open) break;
    const start = open.index;
    pushText(start);
    const trimBefore = source[start + 2] === '-';
    const bodyStart = start + 2 + (trimBefore || source[start + 2] === '+' ? 1 : 0);
    if (open[0] === '{#') {
      const close = source.indexOf('#}', bodyStart);
      if (close < 0) throw new JinjaSyntaxError('a comment {# is never closed with #}', start);
      const end = close + 2;
      tokens.push({ kind: 'comment', offset: start, raw: source.slice(start, end), trimBefore, trimAfter: source[close - 1] === '-' });
      position = end;
      continue;
    }
    const closer = open[0] === '{{' ? '}}' : '%}';
    const { tokens: exprTokens, end: bodyEnd } = tokenizeExpression(source, bodyStart, closer);
    const trimAfter = source[bodyEnd - 1] === '-' && exprTokens.at(-1)?.offset !== bodyEnd - 1;
    const end = bodyEnd + 2;
    const raw = source.slice(start, end);
    if (open[0] === '{{') {
      tokens.push({ kind: 'output', offset: start, raw, trimBefore, trimAfter, tokens: exprTokens });
      position = end;
      continue;
    }
    tokens.push({ kind: 'statement', offset: start, raw, trimBefore, trimAfter, tokens: exprTokens });
    position = end;
    if (exprTokens[0]?.value === 'raw' && exprTokens.length === 1) position = readRaw(source, position, tokens);
  }
  pushText(source.length);
  return tokens;
}

/** `{% raw %}`: everything up to `{% endraw %}` is text. */
function readRaw(source: string, from: number, tokens: TemplateToken[]): number {
  const endRaw = /\{%-?\s*endraw\s*-?%\}/g;
  endRaw.lastIndex = from;
  const match = endRaw.exec(source);
  if (!match) throw new JinjaSyntaxError('{% raw %} is never closed with {% endraw %}', from);
  tokens.push({ kind: 'text', value: source.slice(from, match.index), offset: from });
  tokens.push({ kind: 'statement', offset: match.index, raw: match[0], trimBefore: match[0][2] === '-', trimAfter: match[0].at(-3) === '-', tokens: [{ kind: 'name', value: 'endraw', offset: match.index + 2 }] });
  return match.index + match[0].length;
}

/** The tokens of an expression from `from` up to the `closer` (`}}` or `%}`), which strings may contain. */
function tokenizeExpression(source: string, from: number, closer: string): { tokens: ExprToken[]; end: number } {
  const tokens: ExprToken[] = [];
  let i = from;
  while (i < source.length) {
    const char = source[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (source.startsWith(closer, i)) return { tokens, end: i };
    if (char === '-' && source.startsWith(closer, i + 1)) {
      i++;
      continue;
    }
    if (char === '"' || char === "'") {
      const { value, end } = readString(source, i);
      tokens.push({ kind: 'string', value, offset: i });
      i = end;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(source);
    if (name) {
      tokens.push({ kind: 'name', value: name[0], offset: i });
      i += name[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number) {
      tokens.push({ kind: 'number', value: number[0], offset: i });
      i += number[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (!op) throw new JinjaSyntaxError(`unexpected character '${char}'`, i);
    tokens.push({ kind: 'op', value: op, offset: i });
    i += op.length;
  }
  throw new JinjaSyntaxError(`a tag is never closed with ${closer}`, from);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  for (let i = start + 1; i < source.length; i++) {
    const char = source[i]!;
    if (char === quote) return { value, end: i + 1 };
    if (char === '\\' && i + 1 < source.length) {
      const next = source[++i]!;
      value += ESCAPES[next] ?? `\\${next}`;
      continue;
    }
    value += char;
  }
  throw new JinjaSyntaxError('a string is never closed', start);
}
