import { isUtf8 } from 'node:buffer';

/**
 * Streaming UTF-8 validation that can say where the input goes wrong. Complete stretches are checked natively
 * (`isUtf8`); only sequences split across buffers, and a buffer that fails, are walked byte by byte.
 */
export class Utf8Validator {
  private offset = 0;
  /** Continuation bytes still expected, and the allowed range of the next one (it narrows after E0, ED, F0, F4). */
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  private sequenceStart = 0;

  /** The input offset where the first invalid sequence in `buf` starts, or -1. */
  check(buf: Uint8Array): number {
    const base = this.offset;
    this.offset += buf.length;
    let i = 0;
    for (; this.need > 0 && i < buf.length; i++) {
      if (!this.step(buf[i]!, base + i)) return this.sequenceStart;
    }
    if (i === buf.length) return -1;
    const tail = incompleteTail(buf, i);
    const from = isUtf8(buf.subarray(i, tail)) ? tail : i;
    for (let j = from; j < buf.length; j++) {
      if (!this.step(buf[j]!, base + j)) return this.sequenceStart;
    }
    return -1;
  }

  /** At the end of input: the offset of a sequence cut short, or -1. */
  finish(): number {
    return this.need > 0 ? this.sequenceStart : -1;
  }

  private step(byte: number, offset: number): boolean {
    if (this.need > 0) {
      if (byte < this.lo || byte > this.hi) return false;
      this.need--;
      this.lo = 0x80;
      this.hi = 0xbf;
      return true;
    }
    if (byte < 0x80) return true;
    this.sequenceStart = offset;
    if (byte >= 0xc2 && byte <= 0xdf) {
      this.need = 1;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      this.need = 2;
      this.lo = byte === 0xe0 ? 0xa0 : 0x80; // no overlong forms
      this.hi = byte === 0xed ? 0x9f : 0xbf; // no surrogates
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      this.need = 3;
      this.lo = byte === 0xf0 ? 0x90 : 0x80;
      this.hi = byte === 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
    } else {
      return false;
    }
    return true;
  }
}

/** Where a multi-byte sequence that the buffer ends in the middle of starts (`buf.length` if there is none). */
function incompleteTail(buf: Uint8Array, from: number): number {
  for (let k = 1; k <= 3 && buf.length - k >= from; k++) {
    const byte = buf[buf.length - k]!;
    if (byte >= 0x80 && byte <= 0xbf) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > k ? buf.length - k : buf.length;
  }
  return buf.length;
}
