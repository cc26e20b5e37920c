import { isUtf8 } from 'node:buffer';

/** Receives each line (without its '\n'; a '\r' before it is left to the receiver), numbered from 1. */
export type LineSink = (text: string, lineNo: number, invalidUtf8: boolean) => void;

const NEWLINE = 0x0a;
const BOM = 0xfeff;

/**
 * Splits a byte stream into lines with memory bounded by the longest line.
 * Works on bytes, not decoded text: '\n' never occurs inside a multi-byte UTF-8 sequence, so a character split across
 * chunks is simply carried over with the partial line. Complete lines between a chunk's first and last newline are
 * checked (isUtf8, native) and decoded in one call, then split as a string: far cheaper than per-line decoding.
 * Invalid UTF-8 is decoded with U+FFFD replacements and reported, so that the caller can flag the line.
 */
export class LineSplitter {
  private carried: Buffer[] = [];
  private lineNo = 0;

  constructor(private readonly sink: LineSink) {}

  push(chunk: Buffer): void {
    const first = chunk.indexOf(NEWLINE);
    if (first === -1) {
      this.carry(chunk);
      return;
    }
    const head = chunk.subarray(0, first);
    this.emitBytes(this.carried.length > 0 ? Buffer.concat([...this.carried, head]) : head);
    this.carried = [];
    const last = chunk.lastIndexOf(NEWLINE);
    if (last > first) this.emitRegion(chunk, first + 1, last);
    if (last + 1 < chunk.length) this.carry(chunk.subarray(last + 1));
  }

  /** The final line, when the input does not end with a newline. */
  end(): void {
    if (this.carried.length > 0) this.emitBytes(Buffer.concat(this.carried));
    this.carried = [];
  }

  // Copied: a producer may reuse its buffer after handing it over.
  private carry(bytes: Buffer): void {
    this.carried.push(Buffer.from(bytes));
  }

  /** Lines in chunk[start, end), where chunk[end] is '\n'. */
  private emitRegion(chunk: Buffer, start: number, end: number): void {
    if (isUtf8(chunk.subarray(start, end))) {
      const text = chunk.toString('utf8', start, end);
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        this.emit(text.slice(from, nl), false);
        from = nl + 1;
      }
      this.emit(text.slice(from), false);
      return;
    }
    // Some line here is not UTF-8: find out which, line by line.
    for (let from = start; from <= end; ) {
      const nl = chunk.indexOf(NEWLINE, from); // always found, at most at `end`
      this.emitBytes(chunk.subarray(from, nl));
      from = nl + 1;
    }
  }

  private emitBytes(bytes: Buffer): void {
    this.emit(bytes.toString('utf8'), !isUtf8(bytes));
  }

  private emit(text: string, invalidUtf8: boolean): void {
    this.lineNo++;
    // Buffer decoding keeps a byte order mark; it is not part of the first record.
    this.sink(this.lineNo === 1 && text.charCodeAt(0) === BOM ? text.slice(1) : text, this.lineNo, invalidUtf8);
  }
}
