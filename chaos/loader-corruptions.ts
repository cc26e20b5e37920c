import type { Rng } from '../scripts/generate-data/prng.js';

/** The ways a raw file gets damaged on its way to the loaders. */
export const CORRUPTION_KINDS = ['truncate', 'flip', 'huge-line', 'invalid-utf8', 'bom', 'crlf', 'nul'] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

/** A huge line is one record (or piece of garbage) of this many MiB: far above the loaders' 1 MiB read chunks. */
const HUGE_LINE_MIB = { min: 2, max: 6 };

/**
 * Sequences that are not UTF-8: a stray continuation byte, bytes never valid, an overlong '/', a surrogate,
 * a code point above U+10FFFF, and a 3-byte sequence cut short.
 */
const INVALID_UTF8: readonly Buffer[] = [[0x80], [0xff], [0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]].map((bytes) =>
  Buffer.from(bytes),
);

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Text with characters of one to four UTF-8 bytes, so that read chunks end inside characters. */
const HUGE_TEXT_UNIT = 'huge line é € 😀 ';

/** A well-formed record of the file's format around `text`, or garbage: the loader must survive both. */
export type HugeRecord = (text: string) => string;

export interface Corruption {
  kind: CorruptionKind;
  /** What was done, precisely enough to redo it by hand. */
  description: string;
}

/** Applies `kind` to `bytes`, returning the damaged bytes. */
export function corrupt(kind: CorruptionKind, bytes: Buffer, rng: Rng, hugeRecord: HugeRecord): { bytes: Buffer; description: string } {
  switch (kind) {
    case 'truncate': {
      const at = rng.int(0, Math.max(0, bytes.length - 1));
      return { bytes: bytes.subarray(0, at), description: `truncated to ${at} of ${bytes.length} bytes` };
    }
    case 'flip': {
      const out = Buffer.from(bytes);
      const flips: string[] = [];
      for (let n = rng.int(1, 4); n > 0 && out.length > 0; n--) {
        const at = rng.int(0, out.length - 1);
        // Any byte value: quotes, delimiters, line breaks, NUL and non-ASCII are all worth landing on.
        out[at] = rng.int(0, 255);
        flips.push(`${at}=0x${out[at]!.toString(16)}`);
      }
      return { bytes: out, description: `bytes set: ${flips.join(' ')}` };
    }
    case 'huge-line': {
      const mib = rng.int(HUGE_LINE_MIB.min, HUGE_LINE_MIB.max);
      const text = HUGE_TEXT_UNIT.repeat(Math.ceil((mib << 20) / Buffer.byteLength(HUGE_TEXT_UNIT)));
      const wellFormed = rng.chance(0.5);
      const line = Buffer.from(`${wellFormed ? hugeRecord(text) : text}\n`);
      const at = lineStart(bytes, rng);
      return { bytes: Buffer.concat([bytes.subarray(0, at), line, bytes.subarray(at)]), description: `${wellFormed ? 'well-formed' : 'garbage'} line of ${line.length} bytes inserted at byte ${at}` };
    }
    case 'invalid-utf8': {
      const sequence = rng.pick(INVALID_UTF8);
      const at = rng.int(0, bytes.length);
      return { bytes: Buffer.concat([bytes.subarray(0, at), sequence, bytes.subarray(at)]), description: `${sequence.toString('hex')} inserted at byte ${at}` };
    }
    case 'bom':
      return { bytes: Buffer.concat([BOM, bytes]), description: 'UTF-8 BOM prepended' };
    case 'crlf': {
      const out = Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      return { bytes: out, description: 'line endings made CRLF' };
    }
    case 'nul': {
      const at = rng.int(0, bytes.length);
      return { bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]), description: `NUL inserted at byte ${at}` };
    }
  }
}

/** The offset of a random line's start (0, or just after a '\n'). */
function lineStart(bytes: Buffer, rng: Rng): number {
  const starts = [0];
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) starts.push(at + 1);
  return rng.pick(starts);
}
