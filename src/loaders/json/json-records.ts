import { isUtf8 } from 'node:buffer';
import { extname } from 'node:path';
import { arrayElementTexts } from './array-elements.js';
import { LineSplitter } from './lines.js';
import { itemFromText, parseOrRepair, toItem } from './parse-record.js';
import type { JsonFormat, JsonItem } from './types.js';

export type { JsonFormat, JsonItem, JsonRecord, JsonReject } from './types.js';

const CR = 0x0d;
const SPACE = 0x20;
const JSON_BLANK = /^[ \t\r]*$/;

/** .json -> json; .ndjson/.jsonl -> ndjson (case-insensitive); anything else undefined. */
export function formatOf(path: string): JsonFormat | undefined {
  switch (extname(path).toLowerCase()) {
    case '.json':
      return 'json';
    case '.ndjson':
    case '.jsonl':
      return 'ndjson';
    default:
      return undefined;
  }
}

type Input = NodeJS.ReadableStream | AsyncIterable<Buffer | string>;

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Streams the records of one file.
 * Every record seen comes out as a record or a reject: for ndjson, every non-blank line; for json, every element of a
 * top-level array, else the document as record 1 (also when it cannot be parsed at all).
 */
export function readJsonRecords(input: Input, format: JsonFormat): AsyncGenerator<JsonItem> {
  // Returned, not delegated with yield*: a generator layer costs a promise round trip per record.
  return format === 'ndjson' ? readNdjson(input) : readJsonDocument(input);
}

/**
 * Lines of JSON whitespace (space, tab, CR) only are no records; any other line is one, so that a line of other
 * blanks (a form feed, a vertical tab) is rejected rather than silently dropped. One comparison for the common line, which
 * starts with '{'.
 */
function isBlank(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= SPACE && JSON_BLANK.test(line));
}

async function* readNdjson(input: Input): AsyncGenerator<JsonItem> {
  // The splitter is synchronous: a chunk's lines are parsed in a tight loop, collected, then yielded.
  let batch: JsonItem[] = [];
  const splitter = new LineSplitter((text, lineNo, invalidUtf8) => {
    const line = text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text;
    if (!isBlank(line)) batch.push(itemFromText(line, lineNo, invalidUtf8));
  });
  for await (const chunk of input as AsyncIterable<Buffer | Uint8Array | string>) {
    splitter.push(toBuffer(chunk));
    if (batch.length > 0) {
      const items = batch;
      batch = [];
      // for-of, not yield*: yield* over an array goes through an async-from-sync iterator (more promises per item).
      for (const item of items) yield item;
    }
  }
  splitter.end();
  for (const item of batch) yield item;
}

async function* readJsonDocument(input: Input): AsyncGenerator<JsonItem> {
  const chunks: Buffer[] = [];
  for await (const chunk of input as AsyncIterable<Buffer | Uint8Array | string>) chunks.push(toBuffer(chunk));
  const bytes = Buffer.concat(chunks);
  // Invalid UTF-8 is replaced by U+FFFD; the records cannot be told apart, so all of them are flagged repaired.
  const altered = !isUtf8(bytes);
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const parsed = parseOrRepair(text);
  if (!parsed.ok) {
    yield { kind: 'reject', recordNo: 1, rawText: text, error: parsed.error };
    return;
  }
  const repaired = parsed.repaired || altered;
  if (!Array.isArray(parsed.value)) {
    yield toItem(parsed.value, parsed.json.trim(), text, 1, repaired);
    return;
  }
  const values: unknown[] = parsed.value;
  const texts = arrayElementTexts(parsed.json);
  // The scan and JSON.parse agree on valid JSON; should they not, re-serialise rather than mis-assign texts.
  const exact = texts.length === values.length;
  for (let i = 0; i < values.length; i++) {
    const json = exact ? (texts[i] ?? '') : (JSON.stringify(values[i]) ?? 'null');
    yield toItem(values[i], json, json, i + 1, repaired, false);
  }
}
