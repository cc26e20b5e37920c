import { TsdbtError } from '../core/errors.js';
import { LineIndex } from '../util/line-index.js';

/**
 * Jinja left in a template (a dbt model copied as it is) would otherwise reach the database as SQL text or render
 * empty: a `{% tag %}`, a `{# comment #}`, or a call written `name(...)` inside `{{ }}` is a compile error at its place,
 * with the Handlebars form to write instead. One pass over the template's `{` characters: it runs on every template.
 */
export function checkNoJinja(source: string, file: string): void {
  const found = findJinja(source);
  if (!found) return;
  const { line, column } = new LineIndex(source).positionOf(found.offset);
  throw new TsdbtError('compile', `Jinja is not a tsdbt template: ${found.what}`, {
    location: { file, line, column },
    hint: `${found.instead ? `write ${found.instead}; ` : ''}tsdbt import dbt converts a dbt project's Jinja into Handlebars`,
    source,
  });
}

export interface JinjaConstruct {
  offset: number;
  what: string;
  /** The Handlebars form, where one is known. */
  instead?: string;
}

/** Handlebars' form of each Jinja statement; `{%` followed by another word (SQL's `like '{%abc'`) is not Jinja. */
const TAGS: Record<string, string | undefined> = {
  if: '{{#if cond}}…{{else if other}}…{{else}}…{{/if}}',
  elif: '{{else if cond}}',
  else: '{{else}}',
  endif: '{{/if}}',
  for: '{{#each (list "a" "b") as |item|}}…{{/each}}',
  endfor: '{{/each}}',
  set: 'a project variable (vars: in tsdbt_project.yml) read with {{var "name"}}',
  macro: 'a partial macros/NAME.sql, called as {{> NAME arg=value}}',
  endmacro: undefined,
  raw: '{{{{raw}}}}…{{{{/raw}}}}',
  endraw: undefined,
  snapshot: 'a snapshot file with its {{config strategy="timestamp" unique_key="id" updated_at="updated_at"}}',
  endsnapshot: undefined,
  test: 'a generic test macros/test_NAME.sql',
  endtest: undefined,
  docs: 'docs blocks in a .md file',
  enddocs: undefined,
  call: undefined,
  endcall: undefined,
  filter: undefined,
  endfilter: undefined,
  do: undefined,
  block: undefined,
  endblock: undefined,
  extends: undefined,
  include: '{{> NAME}}',
  import: undefined,
  from: undefined,
  with: '{{#with value}}…{{/with}}',
  endwith: undefined,
  materialization: undefined,
  endmaterialization: undefined,
  break: undefined,
  continue: undefined,
};

const TAG_START = /\{%[-+]?\s*([A-Za-z_]\w*)/y;
const NAME_CHAR = /[\w.]/;
const [DOUBLE_QUOTE, SINGLE_QUOTE, CLOSE_BRACE, OPEN_PAREN] = ['"', "'", '}', '('].map((char) => char.charCodeAt(0)) as [number, number, number, number];

export function findJinja(source: string): JinjaConstruct | undefined {
  for (let at = source.indexOf('{'); at >= 0; at = source.indexOf('{', at)) {
    const next = source[at + 1];
    if (next === '{') {
      const end = skipMustache(source, at);
      if (typeof end !== 'number') return end;
      at = end;
    } else if (next === '%') {
      TAG_START.lastIndex = at;
      const tag = TAG_START.exec(source);
      if (tag && Object.hasOwn(TAGS, tag[1]!) && source.includes('%}', TAG_START.lastIndex)) {
        return { offset: at, what: `{% ${tag[1]} %}`, instead: TAGS[tag[1]!] };
      }
      at += 2;
    } else if (next === '#') {
      if (source.includes('#}', at + 2)) return { offset: at, what: '{# comment #}', instead: '{{!-- comment --}}' };
      at += 2;
    } else {
      at += 1;
    }
  }
  return undefined;
}

/** The offset after the `{{…}}` at `at` (a comment, a raw block, an escaped `\{{` are skipped), or the Jinja call in it. */
function skipMustache(source: string, at: number): number | JinjaConstruct {
  // `\{{` is text (`\\{{` is a backslash and a call).
  if (source[at - 1] === '\\' && source[at - 2] !== '\\') return at + 2;
  if (source.startsWith('{{!--', at)) return closeOf(source, '--}}', at + 5);
  if (source.startsWith('{{!', at)) return closeOf(source, '}}', at + 3);
  if (source.startsWith('{{{{', at)) {
    const name = /^\{\{\{\{\s*([^\s}]+)/.exec(source.slice(at, at + 100))?.[1];
    return name === undefined ? at + 4 : closeOf(source, `{{{{/${name}}}}}`, at + 4);
  }
  for (let i = at + 2; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      const close = source.indexOf(source[i]!, i + 1);
      if (close < 0) return source.length;
      i = close;
    } else if (code === CLOSE_BRACE && source.charCodeAt(i + 1) === CLOSE_BRACE) {
      return i + 2;
    } else if (code === OPEN_PAREN && NAME_CHAR.test(source[i - 1]!)) {
      return jinjaCall(source, at, i);
    }
  }
  return source.length;
}

function closeOf(source: string, close: string, from: number): number {
  const index = source.indexOf(close, from);
  return index < 0 ? source.length : index + close.length;
}

/** `{{ ref('x') }}`: the call and, when its arguments are literals and calls, the Handlebars form of the whole `{{ }}`. */
function jinjaCall(source: string, mustache: number, paren: number): JinjaConstruct {
  let nameStart = paren;
  while (nameStart > mustache + 2 && NAME_CHAR.test(source[nameStart - 1]!)) nameStart--;
  const name = source.slice(nameStart, paren);
  const close = source.indexOf('}}', paren);
  const body = source.slice(mustache + 2, close < 0 ? source.length : close).replace(/^-|-$/g, '').trim();
  const construct: JinjaConstruct = { offset: nameStart, what: `the call ${name}(…)` };
  if (name === 'is_incremental') return { ...construct, instead: '{{#if (is_incremental)}}…{{/if}}' };
  const call = new CallReader(body).whole();
  return call === undefined ? construct : { ...construct, instead: `{{${call}}}` };
}

/** Reads a Jinja call of literals, lists and calls (`dbt_utils.star(from=ref('x'), except=['a'])`) as Handlebars. */
class CallReader {
  private at = 0;

  constructor(private readonly text: string) {}

  whole(): string | undefined {
    const call = this.call();
    this.space();
    return call !== undefined && this.at === this.text.length ? call : undefined;
  }

  private call(): string | undefined {
    const name = this.match(/[A-Za-z_][\w.]*/y);
    if (name === undefined || !this.take('(')) return undefined;
    const args: string[] = [];
    while (!this.take(')')) {
      if (args.length > 0 && !this.take(',')) return undefined;
      const key = this.match(/([A-Za-z_]\w*)\s*=(?!=)/y);
      const value = this.value();
      if (value === undefined) return undefined;
      args.push(key === undefined ? value : `${key.replace(/\s*=$/, '')}=${value}`);
    }
    return [name, ...args].join(' ');
  }

  private value(): string | undefined {
    this.space();
    const quoted = this.match(/'([^'\\]*)'|"([^"\\]*)"/y);
    if (quoted !== undefined) return JSON.stringify(quoted.slice(1, -1));
    const number = this.match(/-?\d+(?:\.\d+)?/y);
    if (number !== undefined) return number;
    const constant = this.match(/(?:true|false|True|False|none|None)\b/y);
    if (constant !== undefined) return { true: 'true', false: 'false', none: 'null' }[constant.toLowerCase()];
    if (this.take('[')) {
      const items: string[] = [];
      while (!this.take(']')) {
        if (items.length > 0 && !this.take(',')) return undefined;
        const item = this.value();
        if (item === undefined) return undefined;
        items.push(` ${item}`);
      }
      return `(list${items.join('')})`;
    }
    const call = this.call();
    return call === undefined ? undefined : `(${call})`;
  }

  private take(char: string): boolean {
    this.space();
    if (this.text[this.at] !== char) return false;
    this.at++;
    return true;
  }

  private match(pattern: RegExp): string | undefined {
    this.space();
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    this.at = pattern.lastIndex;
    return found[0];
  }

  private space(): void {
    while (/\s/.test(this.text[this.at] ?? '')) this.at++;
  }
}
