import { CsvError, parse, type Parser } from 'csv-parse';
import { finished } from 'node:stream/promises';
import { TsdbtError } from '../../errors.js';
import { ByteWindow } from './byte-window.js';
import { ColumnTypeInference, type InferredType } from './column-types.js';
import { describeCsvError, utf8Hint, type CsvProblemPlace } from './csv-errors.js';
import { Utf8Validator } from './utf8.js';

export interface CsvOptions {
  delimiter: string;
  quote: string;
  /** When false, columns are named column_1..N. */
  header: boolean;
  /**
   * Values read as SQL NULL, compared after parsing. '' matches an unquoted empty field only: a quoted `""` is an
   * empty string, so it is observed, and makes a numeric or date column 'text' (PostgreSQL rejects '' for those too).
   */
  nullValues: string[];
}

export const defaultCsvOptions: CsvOptions = { delimiter: ',', quote: '"', header: true, nullValues: [''] };

export interface CsvScanResult {
  columns: string[];
  types: InferredType[];
  rows: number;
}

export interface CsvScanHooks {
  /**
   * Called with the raw text of consecutive data records (header excluded), in chunks of at most about chunkBytes
   * (more only when one record is larger), each ending on a record boundary; for loaders that send bounded blobs.
   * Concatenated, the chunks are the input after the header (and BOM), byte for byte.
   */
  onChunk?(rawText: string): void | Promise<void>;
  chunkBytes?: number;
}

/** A byte stream; a plain array of buffers also works (for a sample already in memory). */
export type CsvInput = NodeJS.ReadableStream | AsyncIterable<Buffer> | Iterable<Buffer>;

const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** Bounds memory when a quote is never closed and the rest of the file reads as one field. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * Streams a CSV file once: validates it (UTF-8, quoting, field counts, one line-ending style, as PostgreSQL's COPY
 * needs), names the columns and infers their types. Errors are TsdbtErrors located at `file` and a line.
 */
export async function scanCsv(
  input: CsvInput,
  file: string,
  options: Partial<CsvOptions> = {},
  hooks: CsvScanHooks = {},
): Promise<CsvScanResult> {
  const opts = { ...defaultCsvOptions, ...options };
  checkOptions(opts, file);
  return new CsvScan(file, opts, hooks).run(input);
}

/**
 * Header names made unique and non-empty: an empty (or blank) name becomes `column_<position>`, a repeated one gets
 * `_2`, `_3`, ... skipping names the file uses itself. Others are kept as written; the loader quotes identifiers.
 */
export function uniqueColumnNames(fields: readonly string[]): string[] {
  const names = fields.map((field, i) => (field.trim() === '' ? `column_${i + 1}` : field));
  const given = new Set(names);
  const used = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 2; used.has(unique); n++) {
      unique = `${name}_${n}`;
      if (given.has(unique)) unique = name;
    }
    used.add(unique);
    return unique;
  });
}

class CsvScan {
  private readonly window = new ByteWindow();
  private readonly utf8 = new Utf8Validator();
  private readonly emptyIsNull: boolean;
  private readonly otherNulls: Set<string> | undefined;
  private readonly chunkBytes: number;
  private columns: string[] | undefined;
  private inference: ColumnTypeInference[] = [];
  private rows = 0;
  /** End of the last record, i.e. where the next one starts. */
  private recordEnd = 0;
  private chunkStart = 0;
  private readonly pendingChunks: Array<[number, number]> = [];
  private lineEnding: string | undefined;
  private failure: unknown;

  constructor(
    private readonly file: string,
    private readonly options: CsvOptions,
    private readonly hooks: CsvScanHooks,
  ) {
    this.emptyIsNull = options.nullValues.includes('');
    const others = options.nullValues.filter((v) => v !== '');
    this.otherNulls = others.length > 0 ? new Set(others) : undefined;
    this.chunkBytes = hooks.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  async run(input: CsvInput): Promise<CsvScanResult> {
    const { delimiter, quote } = this.options;
    const parser = parse({
      delimiter,
      quote,
      escape: quote,
      bom: true,
      encoding: 'utf8',
      // Each record's text, from which its byte offsets follow (csv-parse's `on_record` context costs a third of the speed).
      raw: true,
      // All three, so that a file mixing them is reported rather than read with stray CRs in values.
      record_delimiter: ['\r\n', '\n', '\r'],
      max_record_size: MAX_RECORD_BYTES,
    });
    parser.on('data', ({ record, raw }: { record: string[]; raw: string }) => {
      if (this.failure !== undefined) return;
      try {
        this.onRecord(record, raw);
      } catch (error) {
        this.failure = error;
      }
    });
    // Parse errors arrive through write callbacks and `finished`; this only keeps 'error' from going unhandled.
    parser.on('error', () => {});
    try {
      for await (const chunk of input) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        if (buf.length === 0) continue;
        const bufStart = this.window.end;
        this.window.push(buf);
        const bad = this.utf8.check(buf);
        if (bad >= 0) {
          // Parse the good part first so that an earlier problem is the one reported.
          if (bad > bufStart) await this.write(parser, buf.subarray(0, bad - bufStart));
          throw this.utf8Error(bad);
        }
        await this.write(parser, buf);
        await this.flushChunks();
        this.window.release(this.hooks.onChunk ? this.chunkStart : this.recordEnd);
      }
      const bad = this.utf8.finish();
      if (bad >= 0) throw this.utf8Error(bad);
      parser.end();
      await finished(parser);
      if (this.failure !== undefined) throw this.failure;
    } catch (error) {
      parser.destroy();
      throw this.translate(error);
    }
    if (this.columns === undefined) {
      throw new TsdbtError('runtime', 'the CSV file is empty', {
        location: { file: this.file, line: 1 },
        hint: this.options.header ? 'a seed needs at least a header row' : undefined,
      });
    }
    // Every byte after the BOM belongs to a record; if not, offsets drifted and chunks would be wrong.
    if (this.recordEnd !== this.window.end) throw new Error(`csv scan of ${this.file}: records end at byte ${this.recordEnd} of ${this.window.end}`);
    if (this.recordEnd > this.chunkStart) this.pendingChunks.push([this.chunkStart, this.recordEnd]);
    await this.flushChunks();
    return { columns: this.columns, types: this.inference.map((i) => i.type), rows: this.rows };
  }

  private async write(parser: Parser, buf: Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) => parser.write(buf, (error) => (error ? reject(error) : resolve())));
    if (this.failure !== undefined) throw this.failure;
  }

  private onRecord(record: string[], raw: string): void {
    const first = this.columns === undefined;
    const start = first ? this.bomLength() : this.recordEnd;
    const end = start + this.rawLength(start, raw);
    this.checkLineEnding(raw, end);
    this.recordEnd = end;
    if (first) {
      this.columns = this.options.header ? uniqueColumnNames(record) : record.map((_, i) => `column_${i + 1}`);
      this.inference = this.columns.map(() => new ColumnTypeInference());
      this.chunkStart = this.options.header ? end : start;
      if (this.options.header) return;
    }
    this.rows++;
    const inference = this.inference;
    let quotedEmpty: Set<number> | undefined;
    for (let i = 0; i < record.length; i++) {
      const value = record[i]!;
      if (value === '') {
        // csv-parse yields '' for both an empty field and `""`; only the first is a null.
        quotedEmpty ??= raw.includes(this.options.quote) ? quotedEmptyFields(raw, this.options) : new Set();
        if (this.emptyIsNull && !quotedEmpty.has(i)) continue;
      } else if (this.otherNulls?.has(value)) {
        continue;
      }
      inference[i]!.observe(value);
    }
    if (this.hooks.onChunk && end - this.chunkStart > this.chunkBytes && start > this.chunkStart) {
      this.pendingChunks.push([this.chunkStart, start]);
      this.chunkStart = start;
    }
  }

  /** Bytes of the record starting at `start` whose raw text is `raw`: csv-parse leaves out the LF of a CRLF. */
  private rawLength(start: number, raw: string): number {
    const length = Buffer.byteLength(raw);
    return raw.charCodeAt(raw.length - 1) === 13 && this.window.byteAt(start + length) === 10 ? length + 1 : length;
  }

  /** PostgreSQL's COPY takes the first line's ending as the only one, so a mix is an error here too. */
  private checkLineEnding(raw: string, end: number): void {
    const last = raw.charCodeAt(raw.length - 1);
    let ending: string;
    if (last === 10) ending = '\n';
    else if (last === 13) ending = this.window.byteAt(end - 1) === 10 ? '\r\n' : '\r';
    else return; // the last record, without a line break
    this.lineEnding ??= ending;
    if (ending === this.lineEnding) return;
    const name = (e: string) => ({ '\r\n': 'CRLF', '\n': 'LF', '\r': 'CR' })[e];
    throw new TsdbtError('runtime', `line ends with ${name(ending)}, but earlier lines end with ${name(this.lineEnding)}`, {
      location: { file: this.file, line: this.window.lineOf(end - ending.length) },
      hint: 'use one line-ending style throughout the file',
    });
  }

  private bomLength(): number {
    const w = this.window;
    return w.byteAt(0) === 0xef && w.byteAt(1) === 0xbb && w.byteAt(2) === 0xbf ? 3 : 0;
  }

  private async flushChunks(): Promise<void> {
    const onChunk = this.hooks.onChunk;
    if (!onChunk) return;
    for (const [from, to] of this.pendingChunks.splice(0)) await onChunk(this.window.slice(from, to).toString('utf8'));
  }

  private utf8Error(offset: number): TsdbtError {
    const byte = this.window.byteAt(offset);
    const hex = byte === undefined ? '' : ` (byte 0x${byte.toString(16).toUpperCase()})`;
    return new TsdbtError('runtime', `invalid UTF-8${hex}`, {
      location: { file: this.file, line: this.window.lineOf(offset) },
      hint: utf8Hint(this.window.slice(0, 2)),
    });
  }

  private translate(error: unknown): TsdbtError {
    if (error instanceof TsdbtError) return error;
    if (!(error instanceof CsvError)) {
      const message = error instanceof Error ? error.message : String(error);
      return new TsdbtError('runtime', `cannot read the CSV file: ${message}`, { location: { file: this.file }, cause: error });
    }
    const expected = this.columns?.length ?? Number(/expect (\d+)/.exec(error.message)?.[1]);
    const { message, hint, place } = describeCsvError(error, {
      expectedFields: Number.isNaN(expected) ? undefined : expected,
      header: this.options.header,
      delimiter: this.options.delimiter,
      quote: this.options.quote,
      maxRecordBytes: MAX_RECORD_BYTES,
    });
    return new TsdbtError('runtime', message, {
      location: { file: this.file, line: this.window.lineOf(this.errorOffset(error, place)) },
      hint,
      cause: error,
    });
  }

  /**
   * Where the failing record or field starts, from csv-parse's context: `bytes` is the end of the last complete field
   * (its delimiter) or record, `index` the number of complete fields, `raw` the record's text so far.
   */
  private errorOffset(error: CsvError, place: CsvProblemPlace): number {
    const { bytes, index, raw } = error;
    if (typeof bytes !== 'number') return this.recordEnd;
    if (place === 'record' && typeof raw === 'string') {
      // At a record's end `bytes` includes its line break, of which `raw` lacks the LF of a CRLF.
      const crlf = raw.endsWith('\r') && this.window.byteAt(bytes - 1) === 10;
      return bytes - Buffer.byteLength(raw) - (crlf ? 1 : 0);
    }
    if (typeof index === 'number' && index > 0) return bytes + 1;
    return Math.max(bytes, this.bomLength());
  }
}

/** Indexes of the fields written as an empty quoted value in one raw record (already validated by csv-parse). */
function quotedEmptyFields(raw: string, { delimiter, quote }: CsvOptions): Set<number> {
  const fields = new Set<number>();
  for (let i = 0, field = 0; ; field++) {
    if (raw.startsWith(quote, i)) {
      let j = i + quote.length;
      while (j < raw.length && !(raw.startsWith(quote, j) && !raw.startsWith(quote, j + quote.length))) {
        j += raw.startsWith(quote, j) ? 2 * quote.length : 1;
      }
      if (j === i + quote.length) fields.add(field);
      i = j + quote.length;
    }
    // Unquoted fields hold no quotes (csv-parse rejects them), so the next delimiter ends the field.
    const next = raw.indexOf(delimiter, i);
    if (next === -1) return fields;
    i = next + delimiter.length;
  }
}

/** PostgreSQL's COPY wants one-byte delimiter and quote characters; csv-parse's raw text relies on it too. */
function checkOptions(options: CsvOptions, file: string): void {
  const single = (c: string) => c.length === 1 && c.charCodeAt(0) < 128 && c !== '\r' && c !== '\n';
  const problem = !single(options.delimiter)
    ? `the delimiter must be one ASCII character other than a line break, got ${JSON.stringify(options.delimiter)}`
    : !single(options.quote)
      ? `the quote must be one ASCII character other than a line break, got ${JSON.stringify(options.quote)}`
      : options.delimiter === options.quote
        ? 'the delimiter and the quote must differ'
        : undefined;
  if (problem) throw new TsdbtError('config', `invalid CSV options: ${problem}`, { location: { file } });
}
