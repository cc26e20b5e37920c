import { TsdbtError } from '../../core/errors.js';
import { ColumnTypeInference, type InferredType } from './column-types.js';
import { describeCsvProblem, utf8Hint, type CsvProblem } from './csv-errors.js';
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
  /**
   * The same chunks as raw bytes (valid UTF-8), without decoding them to a string. The Buffer may share memory with
   * the input buffers; the scan never writes to it afterwards, so it may be kept. When both hooks are given, each
   * chunk goes to onChunkBytes first, then to onChunk.
   */
  onChunkBytes?(raw: Buffer): void | Promise<void>;
  chunkBytes?: number;
}

/** A byte stream; a plain array of buffers also works (for a sample already in memory). */
export type CsvInput = NodeJS.ReadableStream | AsyncIterable<Buffer> | Iterable<Buffer>;

const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** Bounds memory when a quote is never closed and the rest of the file reads as one field. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024;
/** The smallest buffer the scan copies input into (records spanning input buffers need contiguous bytes). */
const MIN_WORK_BYTES = 1024 * 1024;

const LF = 10;
const CR = 13;

/** Where the scanner is: at a field's first byte, inside an unquoted or a quoted field, or just after a closing quote. */
const FIELD = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const CLOSED = 3;
type Mode = typeof FIELD | typeof UNQUOTED | typeof QUOTED | typeof CLOSED;

const LINE_ENDINGS = ['', 'LF', 'CRLF', 'CR'] as const;

/**
 * Streams a CSV file once: validates it (UTF-8 without NUL, quoting, field counts, one line-ending style, as
 * PostgreSQL's COPY needs), names the columns and infers their types. Errors are TsdbtErrors located at `file` and a line.
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

/**
 * A byte-level CSV scanner (RFC 4180 with PostgreSQL's CSV rules: a quote opens a field only at its start, a doubled
 * quote inside a quoted field is one quote; records end at LF, CRLF or a lone CR). Input buffers are copied into one
 * work buffer holding the bytes from the current record on (from the current chunk on, with chunk hooks), so that a
 * record spanning input buffers is contiguous; the scanner's state is kept between buffers, so that no byte is scanned
 * twice however long a record is. Offsets in fields are input offsets unless named relative.
 */
class CsvScan {
  private readonly utf8 = new Utf8Validator();
  private readonly delimiter: number;
  private readonly quote: number;
  /** 1 for the bytes that end an unquoted stretch: delimiter, quote, LF, CR. */
  private readonly special = new Uint8Array(256);
  private readonly emptyIsNull: boolean;
  /** Null markers other than '' as UTF-8. */
  private readonly otherNulls: Buffer[] | undefined;
  private readonly otherNullStrings: Set<string>;
  private readonly chunkBytes: number;
  private readonly wantsChunks: boolean;

  /** The bytes still needed are work[keepFrom() - workBase, workEnd); workBase is the input offset of work[0]. */
  private work: Buffer = Buffer.alloc(0);
  private workBase = 0;
  private workEnd = 0;
  /** Whether work is a buffer of this scan (not a caller's), and whether part of it was handed to onChunkBytes. */
  private owned = false;
  private shared = false;
  /** Input bytes received. */
  private total = 0;
  /** The first two bytes of the input, for the hint of an encoding error. */
  private head = Buffer.alloc(0);
  private bomChecked = false;

  // The scanner's state between input buffers.
  private pos = 0;
  private mode: Mode = FIELD;
  private recordStart = 0;
  /** The 1-based line where the current record starts. */
  private recordLine = 1;
  private fieldStart = 0;
  private fieldIndex = 0;
  /** Whether the current quoted field holds a doubled quote. */
  private escaped = false;
  /** Line breaks inside the quoted fields of the current record so far. */
  private breaks = 0;

  /** Fields of the first record, until it is complete. */
  private firstRecord: Array<{ value: string; quoted: boolean }> = [];
  private columns: string[] | undefined;
  /** Fields per record: the first record's count, -1 until it is known. */
  private ncols = -1;
  private inference: ColumnTypeInference[] = [];
  /** 1 for a column whose type can still change, so that its values need looking at. */
  private live = new Uint8Array(0);
  private rows = 0;
  /** 0 until the first line break, then 1 for LF, 2 for CRLF, 3 for CR. */
  private lineEnding = 0;
  private chunkStart = -1;
  private readonly pendingChunks: Array<[number, number]> = [];

  constructor(
    private readonly file: string,
    private readonly options: CsvOptions,
    private readonly hooks: CsvScanHooks,
  ) {
    this.delimiter = options.delimiter.charCodeAt(0);
    this.quote = options.quote.charCodeAt(0);
    for (const byte of [this.delimiter, this.quote, LF, CR]) this.special[byte] = 1;
    this.emptyIsNull = options.nullValues.includes('');
    const others = options.nullValues.filter((v) => v !== '');
    this.otherNulls = others.length > 0 ? others.map((v) => Buffer.from(v, 'utf8')) : undefined;
    this.otherNullStrings = new Set(others);
    this.chunkBytes = hooks.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.wantsChunks = hooks.onChunk !== undefined || hooks.onChunkBytes !== undefined;
  }

  async run(input: CsvInput): Promise<CsvScanResult> {
    try {
      for await (const chunk of input) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        if (buf.length === 0) continue;
        const bufStart = this.total;
        this.total += buf.length;
        if (this.head.length < 2) this.head = Buffer.concat([this.head, buf.subarray(0, 2 - this.head.length)]);
        const invalid = this.utf8.check(buf);
        // PostgreSQL's text types cannot hold NUL, so a NUL byte is reported like bad UTF-8.
        const nul = buf.indexOf(0);
        const bad = nul >= 0 && (invalid < 0 || bufStart + nul < invalid) ? bufStart + nul : invalid;
        this.append(buf);
        if (bad >= 0) {
          // Scan the good part first so that an earlier problem is the one reported.
          this.scan(bad, false);
          throw this.utf8Error(bad);
        }
        this.scan(this.total, false);
        await this.flushChunks();
      }
      const bad = this.utf8.finish();
      if (bad >= 0) throw this.utf8Error(bad);
      this.scan(this.total, true);
    } catch (error) {
      throw this.translate(error);
    }
    if (this.columns === undefined) {
      throw new TsdbtError('runtime', 'the CSV file is empty', {
        location: { file: this.file, line: 1 },
        hint: this.options.header ? 'a seed needs at least a header row' : undefined,
      });
    }
    // Every byte after the BOM belongs to a record; if not, offsets drifted and chunks would be wrong.
    if (this.recordStart !== this.total) throw new Error(`csv scan of ${this.file}: records end at byte ${this.recordStart} of ${this.total}`);
    if (this.wantsChunks && this.total > this.chunkStart) this.pendingChunks.push([this.chunkStart, this.total]);
    await this.flushChunks();
    return { columns: this.columns, types: this.inference.map((i) => i.type), rows: this.rows };
  }

  /** The input offset from which bytes are still needed: the current record's start, or the current chunk's. */
  private keepFrom(): number {
    return this.wantsChunks && this.chunkStart >= 0 ? this.chunkStart : this.recordStart;
  }

  /** Adds an input buffer after the bytes still needed, reusing or replacing the work buffer. */
  private append(buf: Buffer): void {
    const keep = this.keepFrom();
    const from = keep - this.workBase;
    const kept = this.workEnd - from;
    if (kept === 0) {
      // Nothing carried over: scan the caller's buffer in place.
      this.work = buf;
      this.workBase = keep;
      this.workEnd = buf.length;
      this.owned = false;
      this.shared = false;
      return;
    }
    // Bytes handed to onChunkBytes are never overwritten, but appending after them is fine.
    if (!this.owned || this.workEnd + buf.length > this.work.length) {
      if (this.owned && !this.shared && kept + buf.length <= this.work.length) {
        this.work.copyWithin(0, from, this.workEnd);
      } else {
        const next = Buffer.allocUnsafe(Math.max(2 * (kept + buf.length), MIN_WORK_BYTES));
        this.work.copy(next, 0, from, this.workEnd);
        this.work = next;
        this.owned = true;
        this.shared = false;
      }
      this.workBase = keep;
      this.workEnd = kept;
    }
    buf.copy(this.work, this.workEnd);
    this.workEnd += buf.length;
  }

  /** A BOM is skipped; false while too few bytes are known to tell. */
  private checkBom(limit: number, final: boolean): boolean {
    const w = this.work;
    if (limit - this.workBase < 3 && !final) return false;
    if (limit - this.workBase >= 3 && w[0] === 0xef && w[1] === 0xbb && w[2] === 0xbf) {
      this.pos = this.recordStart = this.fieldStart = this.workBase + 3;
    }
    this.bomChecked = true;
    return true;
  }

  /**
   * Scans the input up to offset `limit`: every record that ends before it, and, when `final` (the input ends there),
   * the last one. Otherwise scanning stops where a byte after `limit` is needed and resumes there with more input.
   */
  private scan(limit: number, final: boolean): void {
    if (!this.bomChecked && !this.checkBom(limit, final)) return;
    const data = this.work;
    const base = this.workBase;
    const end = limit - base;
    const D = this.delimiter;
    const Q = this.quote;
    const special = this.special;
    let live = this.live;
    let ncols = this.ncols;
    let i = this.pos - base;
    let mode = this.mode;
    let recordStart = this.recordStart - base;
    let fieldStart = this.fieldStart - base;
    let field = this.fieldIndex;
    let escaped = this.escaped;
    let breaks = this.breaks;

    scan: for (;;) {
      let c = -1; // the byte that ends the field: delimiter, LF, CR, or -1 for the end of the input
      if (mode === FIELD) {
        if (i >= end) {
          // The end of the input right after a line break is no record; after a delimiter it ends an empty field.
          if (!final || i === recordStart) break;
          fieldStart = i;
        } else {
          fieldStart = i;
          if (data[i] === Q) {
            mode = QUOTED;
            escaped = false;
            i++;
          }
        }
        if (mode === FIELD) mode = UNQUOTED;
      }
      if (mode === UNQUOTED) {
        while (i < end && special[(c = data[i]!)] === 0) i++;
        if (i >= end) {
          if (!final) break;
          c = -1;
        } else if (c === Q) {
          throw this.fieldProblem({ code: 'quote-in-unquoted' }, recordStart, fieldStart, i);
        }
      } else {
        if (mode === QUOTED) {
          for (;;) {
            if (i >= end) {
              if (!final) break scan;
              throw this.fieldProblem({ code: 'unclosed-quote' }, recordStart, fieldStart, i);
            }
            const b = data[i]!;
            if (b === Q) {
              if (i + 1 < end) {
                if (data[i + 1] === Q) {
                  escaped = true;
                  i += 2;
                  continue;
                }
              } else if (!final) {
                break scan; // a doubled quote or the closing one: the next byte tells
              }
              i++;
              break;
            }
            // Line breaks inside values count for line numbers: LF, CRLF and a lone CR are one each.
            if (b <= CR && (b === CR || (b === LF && data[i - 1] !== CR))) breaks++;
            i++;
          }
          mode = CLOSED;
        }
        if (i >= end) {
          if (!final) break;
          c = -1;
        } else {
          c = data[i]!;
          if (c !== D && c !== LF && c !== CR) {
            // Name the whole character: wait for the rest of its UTF-8 sequence (the input is valid UTF-8 so far).
            if (!final && i + utf8Length(c) > end) break;
            throw this.fieldProblem({ code: 'after-closing-quote', got: firstCharacter(data, i, end) }, recordStart, fieldStart, i);
          }
        }
      }

      // The field [fieldStart, i) is complete; c tells what follows it.
      let terminator = 0;
      if (c === CR) {
        if (i + 1 < end) terminator = data[i + 1] === LF ? 2 : 1;
        else if (final) terminator = 1;
        else break; // is it CRLF?
      } else if (c === LF) {
        terminator = 1;
      }
      if (i - recordStart > MAX_RECORD_BYTES) throw this.fieldProblem({ code: 'record-too-large' }, recordStart, fieldStart, i);
      const quoted = mode === CLOSED;
      if (ncols < 0) this.collect(data, fieldStart, i, quoted, escaped);
      else if (field < ncols && live[field] === 1) this.observe(data, fieldStart, i, quoted, escaped, field);
      if (c === D) {
        field++;
        i++;
        mode = FIELD;
        continue;
      }

      // The record [recordStart, i + terminator) is complete.
      const emptyLine = field === 0 && i - fieldStart === (quoted ? 2 : 0);
      this.endRecord(data, recordStart, i, terminator, field + 1, emptyLine, breaks);
      live = this.live;
      ncols = this.ncols;
      i += terminator;
      recordStart = i;
      field = 0;
      breaks = 0;
      mode = FIELD;
      if (c === -1) break;
    }

    if (!final && end - recordStart > MAX_RECORD_BYTES) {
      throw this.fieldProblem({ code: 'record-too-large' }, recordStart, mode === FIELD ? i : fieldStart, end);
    }
    this.pos = base + i;
    this.mode = mode;
    this.recordStart = base + recordStart;
    this.fieldStart = base + fieldStart;
    this.fieldIndex = field;
    this.escaped = escaped;
    this.breaks = breaks;
  }

  /** A field of the first record, as a string: the header, or the first row (whose field count is not known yet). */
  private collect(data: Buffer, start: number, end: number, quoted: boolean, escaped: boolean): void {
    let value = quoted ? data.toString('utf8', start + 1, end - 1) : data.toString('utf8', start, end);
    if (escaped) value = value.replaceAll(this.options.quote + this.options.quote, this.options.quote);
    this.firstRecord.push({ value, quoted });
  }

  /** A field of a data record, for its column's type; nulls are skipped. */
  private observe(data: Buffer, start: number, end: number, quoted: boolean, escaped: boolean, column: number): void {
    let bytes = data;
    if (quoted) {
      start++;
      end--;
      if (escaped) {
        bytes = unescapeQuotes(data, start, end, this.quote);
        start = 0;
        end = bytes.length;
      }
    } else if (start === end && this.emptyIsNull) {
      return;
    }
    if (this.otherNulls !== undefined && start !== end && isOneOf(bytes, start, end, this.otherNulls)) return;
    const inference = this.inference[column]!;
    inference.observeBytes(bytes, start, end);
    if (inference.settled) this.live[column] = 0;
  }

  /** Checks a complete record (relative offsets; its line break of `terminator` bytes is at `at`) and counts it. */
  private endRecord(data: Buffer, start: number, at: number, terminator: number, fields: number, emptyLine: boolean, breaks: number): void {
    const base = this.workBase;
    const first = this.columns === undefined;
    if (!first && fields !== this.ncols) {
      const { message, hint } = describeCsvProblem({ code: 'fields', fields, emptyLine }, this.errorContext());
      throw new TsdbtError('runtime', message, { location: { file: this.file, line: this.recordLine }, hint });
    }
    if (terminator > 0) {
      // PostgreSQL's COPY takes the first line's ending as the only one, so a mix is an error here too.
      const ending = terminator === 2 ? 2 : data[at] === LF ? 1 : 3;
      if (this.lineEnding === 0) this.lineEnding = ending;
      if (ending !== this.lineEnding) {
        throw new TsdbtError('runtime', `line ends with ${LINE_ENDINGS[ending]}, but earlier lines end with ${LINE_ENDINGS[this.lineEnding]}`, {
          location: { file: this.file, line: this.recordLine + breaks },
          hint: 'use one line-ending style throughout the file',
        });
      }
    }
    const recordStart = base + start;
    const recordEnd = base + at + terminator;
    this.recordLine += breaks + (terminator > 0 ? 1 : 0);
    if (first) {
      this.firstRecordDone(recordStart, recordEnd);
      if (this.options.header) return;
    }
    this.rows++;
    if (this.wantsChunks && recordEnd - this.chunkStart > this.chunkBytes && recordStart > this.chunkStart) {
      this.pendingChunks.push([this.chunkStart, recordStart]);
      this.chunkStart = recordStart;
    }
  }

  private firstRecordDone(start: number, end: number): void {
    const fields = this.firstRecord;
    this.firstRecord = [];
    const values = fields.map((f) => f.value);
    this.columns = this.options.header ? uniqueColumnNames(values) : values.map((_, i) => `column_${i + 1}`);
    this.ncols = fields.length;
    this.inference = fields.map(() => new ColumnTypeInference());
    this.live = new Uint8Array(fields.length).fill(1);
    this.chunkStart = this.options.header ? end : start;
    if (this.options.header) return;
    fields.forEach(({ value, quoted }, i) => {
      if (value === '' ? this.emptyIsNull && !quoted : this.otherNullStrings.has(value)) return;
      const inference = this.inference[i]!;
      inference.observe(value);
      if (inference.settled) this.live[i] = 0;
    });
  }

  private async flushChunks(): Promise<void> {
    if (this.pendingChunks.length === 0) return;
    const { onChunk, onChunkBytes } = this.hooks;
    for (const [from, to] of this.pendingChunks.splice(0)) {
      const raw = this.work.subarray(from - this.workBase, to - this.workBase);
      if (onChunkBytes) {
        this.shared = true;
        await onChunkBytes(raw);
      }
      if (onChunk) await onChunk(raw.toString('utf8'));
    }
  }

  private errorContext() {
    return {
      expectedFields: this.columns?.length,
      header: this.options.header,
      delimiter: this.options.delimiter,
      quote: this.options.quote,
      maxRecordBytes: MAX_RECORD_BYTES,
    };
  }

  /**
   * A problem in the field starting at `fieldStart`, found at `at` (relative offsets in the record starting at
   * `recordStart`). A record already past the size limit there is reported as that, as it would have been first.
   */
  private fieldProblem(problem: CsvProblem, recordStart: number, fieldStart: number, at: number): TsdbtError {
    if (at - recordStart > MAX_RECORD_BYTES) problem = { code: 'record-too-large' };
    const { message, hint } = describeCsvProblem(problem, this.errorContext());
    return new TsdbtError('runtime', message, {
      location: { file: this.file, line: this.lineAt(recordStart, fieldStart) },
      hint,
    });
  }

  /** The line of relative offset `at` in the current record (which starts at relative offset `recordStart`). */
  private lineAt(recordStart: number, at: number): number {
    const data = this.work;
    let line = this.recordLine;
    for (let i = recordStart; i < at; i++) {
      const b = data[i];
      if (b === LF || (b === CR && (i + 1 >= this.workEnd || data[i + 1] !== LF))) line++;
    }
    return line;
  }

  private utf8Error(offset: number): TsdbtError {
    const at = offset - this.workBase;
    const byte = at >= 0 && at < this.workEnd ? this.work[at] : undefined;
    const line = this.lineAt(this.recordStart - this.workBase, Math.max(at, this.recordStart - this.workBase));
    if (byte === 0) {
      return new TsdbtError('runtime', 'NUL byte (0x00) in the data', {
        location: { file: this.file, line },
        hint: 'PostgreSQL text cannot contain NUL characters; remove them (or the file is not UTF-8 text)',
      });
    }
    const hex = byte === undefined ? '' : ` (byte 0x${byte.toString(16).toUpperCase()})`;
    return new TsdbtError('runtime', `invalid UTF-8${hex}`, {
      location: { file: this.file, line },
      hint: utf8Hint(this.head),
    });
  }

  private translate(error: unknown): TsdbtError {
    if (error instanceof TsdbtError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new TsdbtError('runtime', `cannot read the CSV file: ${message}`, { location: { file: this.file }, cause: error });
  }
}

/** The value of a quoted field with doubled quotes, data[start, end) being what is between the outer quotes. */
function unescapeQuotes(data: Buffer, start: number, end: number, quote: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = data[i]!;
    out[n++] = b;
    if (b === quote) i++;
  }
  return out.subarray(0, n);
}

function isOneOf(data: Uint8Array, start: number, end: number, candidates: readonly Uint8Array[]): boolean {
  outer: for (const candidate of candidates) {
    if (candidate.length !== end - start) continue;
    for (let i = 0; i < candidate.length; i++) if (candidate[i] !== data[start + i]) continue outer;
    return true;
  }
  return false;
}

/** Bytes in the UTF-8 sequence that starts with `lead`. */
function utf8Length(lead: number): number {
  return lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/** The character at data[at] (whole, if its UTF-8 sequence is there), for a message. */
function firstCharacter(data: Buffer, at: number, end: number): string {
  const text = data.toString('utf8', at, Math.min(at + 4, end));
  return String.fromCodePoint(text.codePointAt(0) ?? 0xfffd);
}

/** PostgreSQL's COPY wants one-byte delimiter and quote characters; the byte-level scan relies on it too. */
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
