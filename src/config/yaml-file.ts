import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load } from 'js-yaml';
import { isMap, isScalar, LineCounter, parseDocument, Scalar, type Document } from 'yaml';
import { z } from 'zod';
import { TsdbtError, type ErrorLocation } from '../core/errors.js';
import { isSecretKey } from '../redact.js';

/** A parsed YAML file that can say on which line any key path lives. */
export interface YamlFile {
  path: string;
  /** The text as code frames show it: the file's own, or with secrets masked (profiles.yml). */
  text: string;
  data: unknown;
  /** Where `keyPath` is written: its key, or with `value` its value. */
  locate(keyPath: ReadonlyArray<PropertyKey>, value?: boolean): ErrorLocation;
  /** Where `at` (1-based line and column inside the text value at `keyPath`) is written in the file. */
  locateInValue(keyPath: ReadonlyArray<PropertyKey>, at: { line?: number; column?: number }): ErrorLocation;
}

export interface YamlReadOptions {
  /** Rewrites the text before it is parsed. */
  transform?: (text: string) => string;
  /** The text code frames show, from the file's own (masks secrets). */
  frameText?: (text: string) => string;
}

export function readYamlFile(path: string, displayPath = path, options: YamlReadOptions = {}): YamlFile {
  const raw = readFileSync(path, 'utf8');
  return parseYaml(options.transform ? options.transform(raw) : raw, displayPath, options.frameText);
}

/**
 * js-yaml reads the data (several times faster than a full document parse, which big property files feel); the
 * `yaml` library's document, which knows where every node is, is built only when an error needs a line, and it
 * words syntax errors.
 */
export function parseYaml(text: string, displayPath: string, frameText?: (text: string) => string): YamlFile {
  // Masking secrets parses the whole document: done when a frame is shown, not at every read.
  let shown: string | undefined;
  const framed = () => (shown ??= frameText ? frameText(text) : text);
  let data: unknown;
  try {
    data = load(text, { schema: CORE_SCHEMA, filename: displayPath });
  } catch (error) {
    throw syntaxError(parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: true, uniqueKeys: true }), framed(), displayPath) ?? new TsdbtError('config', `malformed YAML: ${(error as Error).message.split('\n')[0]}`, { location: { file: displayPath }, source: framed() });
  }
  let located: { doc: Document; lineCounter: LineCounter } | undefined;
  const document = () => {
    if (!located) {
      const lineCounter = new LineCounter();
      located = { doc: parseDocument(text, { lineCounter }), lineCounter };
    }
    return located;
  };
  return {
    path: displayPath,
    get text() {
      return framed();
    },
    data: data ?? {},
    locate: (keyPath, value) => locateKey(document().doc, document().lineCounter, displayPath, keyPath, value),
    locateInValue: (keyPath, at) => {
      const { doc, lineCounter } = document();
      const offset = offsetInScalar(doc.getIn(keyPath, true), text, at);
      if (offset === undefined) return locateKey(doc, lineCounter, displayPath, keyPath, true);
      const pos = lineCounter.linePos(offset);
      return { file: displayPath, line: pos.line, column: pos.col };
    },
  };
}

/**
 * The offset in the file of `at` inside a one-line scalar, counting a quoted scalar's quotes and escapes; undefined
 * for other nodes (block and multi-line scalars are located at their start).
 */
function offsetInScalar(node: unknown, text: string, at: { line?: number; column?: number }): number | undefined {
  if (!isScalar(node) || !node.range || at.line !== 1 || at.column === undefined) return undefined;
  const [start, end] = node.range;
  const written = text.slice(start, end);
  if (written.includes('\n')) return undefined;
  if (node.type === Scalar.PLAIN) return start + at.column - 1;
  if (node.type !== Scalar.QUOTE_SINGLE && node.type !== Scalar.QUOTE_DOUBLE) return undefined;
  let index = 1;
  for (let character = 1; character < at.column; character++) {
    if (node.type === Scalar.QUOTE_SINGLE) index += written.startsWith("''", index) ? 2 : 1;
    else index += written[index] === '\\' ? escapeLength(written[index + 1]) : 1;
  }
  return start + index;
}

/** How many characters a double-quoted scalar's escape takes: \n, \xNN, \uNNNN, \UNNNNNNNN. */
function escapeLength(letter: string | undefined): number {
  return letter === 'x' ? 4 : letter === 'u' ? 6 : letter === 'U' ? 10 : 2;
}

/**
 * Gives `target` a `line`: where `keyPath` is written in `file`, found only when read, since locating builds the
 * slow document (property files describe thousands of nodes, and only an error needs the line of one).
 */
export function withLine<T extends object>(target: T, file: YamlFile, keyPath: ReadonlyArray<PropertyKey>): T & { readonly line?: number } {
  return Object.defineProperty(target, 'line', { get: () => file.locate(keyPath).line, enumerable: true }) as T & { readonly line?: number };
}

/** `shown` is the text the code frame shows (the document is parsed from the file's own). */
function syntaxError(doc: Document, shown: string, displayPath: string): TsdbtError | undefined {
  const [error] = doc.errors;
  if (!error) return undefined;
  const pos = error.linePos?.[0];
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return new TsdbtError('config', `malformed YAML: ${message}`, { location: { file: displayPath, line: pos?.line, column: pos?.col }, source: shown });
}

function locateKey(doc: Document, lineCounter: LineCounter, file: string, keyPath: ReadonlyArray<PropertyKey>, value = false): ErrorLocation {
  // Walk down as far as the path exists; an unknown key is reported at its own key node.
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as { range?: [number] } | null)?.range?.[0];
  for (const key of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      node = pair.value;
      const target = value && key === keyPath.at(-1) ? node : pair.key;
      offset = (target as { range?: [number] } | null)?.range?.[0] ?? offset;
    } else if (node && typeof node === 'object' && 'items' in node && typeof key === 'number') {
      node = (node as { items: unknown[] }).items[key];
      offset = (node as { range?: [number] } | undefined)?.range?.[0] ?? offset;
    } else break;
  }
  if (offset === undefined) return { file };
  const pos = lineCounter.linePos(offset);
  return { file, line: pos.line, column: pos.col };
}

/** Validates `file.data` against `schema`; the first issue becomes an error naming the file, line, key path and a hint. */
export function validateYaml<T extends z.ZodType>(file: Pick<YamlFile, 'text' | 'data' | 'locate'>, schema: T, at: PropertyKey[] = [], data: unknown = file.data): z.infer<T> {
  const result = schema.safeParse(data, { reportInput: true, jitless: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keyPath = [...at, ...issue.path];
  const location = issue.code === 'unrecognized_keys' ? file.locate([...keyPath, issue.keys[0]!]) : file.locate(keyPath, true);
  throw new TsdbtError('config', describeIssue(issue, keyPath, writtenAt(data, issue.path) ?? issue.input), {
    location,
    hint: startsTemplate(file.text, location) ? `a template is a quoted YAML string, as in dbt: ${String(keyPath.at(-1))}: "{{env_var 'NAME'}}"` : hintFor(issue),
    source: file.text,
  });
}

/** An unquoted `key: {{env_var 'X'}}`, which YAML reads as a mapping since templates are rendered after it. */
function startsTemplate(text: string, { line, column }: ErrorLocation): boolean {
  return line !== undefined && column !== undefined && (text.split('\n')[line - 1] ?? '').startsWith('{{', column - 1);
}

type Issue = z.core.$ZodIssue;

/** The value as written: a coerced field's issue holds what coercion made of it (`threads: abc` is NaN there). */
function writtenAt(data: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), data);
}

function describeIssue(issue: Issue, keyPath: PropertyKey[], input: unknown): string {
  const where = keyPath.length > 0 ? keyPath.map(String).join('.') : 'the top level';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return `unknown key '${key}' at ${keyPath.length > 0 ? where : 'the top level'}`;
  }
  // A credential's value is not repeated, only its kind.
  const got = isSecretKey(keyPath.at(-1)) ? describeKind(input) : describeValue(input);
  if (issue.code === 'invalid_type') return `wrong type at ${where}: expected ${issue.expected}, got ${got}`;
  return `invalid value at ${where}: ${issue.message}`;
}

const TYPE_EXAMPLES: Record<string, string> = {
  array: 'a list, such as [models] or one "- item" per line',
  boolean: 'true or false',
  number: 'a number, such as 4',
  string: 'text, quoted if it could be read as something else: "2024"',
  object: 'a mapping of key: value lines',
  record: 'a mapping of key: value lines',
};

function hintFor(issue: Issue): string | undefined {
  // strictObject (core/strict-object.ts) puts its hint in the message of unrecognized_keys issues.
  if (issue.code === 'unrecognized_keys') return issue.message;
  if (issue.code === 'invalid_type') return TYPE_EXAMPLES[issue.expected] && `write ${TYPE_EXAMPLES[issue.expected]}`;
  return undefined;
}

function describeValue(value: unknown): string {
  const kind = describeKind(value);
  return kind === typeof value ? `${kind} ${JSON.stringify(value)}` : kind;
}

function describeKind(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
