/**
 * The input bytes a scan may still need: the current record (for error lines and quoted-empty checks) and, for raw
 * chunks, everything since the last chunk. Offsets are absolute in the input; line breaks are LF, CRLF or a lone CR.
 */
export class ByteWindow {
  private buffers: Buffer[] = [];
  private start = 0;
  private linesBefore = 0;
  end = 0;

  push(buf: Buffer): void {
    this.buffers.push(buf);
    this.end += buf.length;
  }

  /** Forgets whole buffers before `offset`. The last one stays: its first byte may finish a CRLF. */
  release(offset: number): void {
    while (this.buffers.length > 1 && this.start + this.buffers[0]!.length <= offset) {
      const buf = this.buffers.shift()!;
      this.linesBefore += countLineBreaks(buf, 0, buf.length, this.buffers[0]![0]);
      this.start += buf.length;
    }
  }

  byteAt(offset: number): number | undefined {
    let base = this.end;
    for (let i = this.buffers.length - 1; i >= 0; i--) {
      const buf = this.buffers[i]!;
      base -= buf.length;
      if (offset >= base) return buf[offset - base];
    }
    return undefined;
  }

  slice(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    let base = this.start;
    for (const buf of this.buffers) {
      const lo = Math.max(from - base, 0);
      const hi = Math.min(to - base, buf.length);
      if (lo < hi) parts.push(buf.subarray(lo, hi));
      base += buf.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The 1-based line of the byte at `offset` (clamped to what is still held). */
  lineOf(offset: number): number {
    let lines = this.linesBefore;
    let base = this.start;
    for (let i = 0; i < this.buffers.length && base < offset; i++) {
      const buf = this.buffers[i]!;
      const to = Math.min(offset - base, buf.length);
      const next = to < buf.length ? buf[to] : this.buffers[i + 1]?.[0];
      lines += countLineBreaks(buf, 0, to, next);
      base += buf.length;
    }
    return lines + 1;
  }
}

/** Line breaks in buf[from, to); `next` is the byte after the range, so a CR split from its LF is not counted twice. */
function countLineBreaks(buf: Buffer, from: number, to: number, next: number | undefined): number {
  const range = buf.subarray(from, to);
  let count = 0;
  for (let i = range.indexOf(10); i !== -1; i = range.indexOf(10, i + 1)) count++;
  for (let i = range.indexOf(13); i !== -1; i = range.indexOf(13, i + 1)) {
    const after = i + 1 < range.length ? range[i + 1] : next;
    if (after !== 10) count++;
  }
  return count;
}
