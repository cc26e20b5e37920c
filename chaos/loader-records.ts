import { isUtf8 } from 'node:buffer';
import { jsonrepair } from 'jsonrepair';

/*
 * "Records seen": what a reader of the damaged file counts, by the loaders' documented contract, computed here without
 * the loaders' code so that the two can disagree.
 *  - NDJSON: one record per line (split at '\n') that holds anything but JSON whitespace (space, tab, CR); a BOM
 *    starting the file is not part of the first line.
 *  - JSON: a file that parses to an array, repaired if need be (a truncated array, NDJSON saved as .json, a line of
 *    garbage before an object), holds its elements; any other file is one record.
 *  - CSV: the whole file is valid (UTF-8 without NUL; RFC 4180 quoting as PostgreSQL reads it; one line-ending style;
 *    every row as wide as the header) and its rows are records, or it is invalid and nothing of it is loaded.
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const JSON_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function withoutBom(bytes: Buffer): Buffer {
  return bytes.subarray(0, 3).equals(BOM) ? bytes.subarray(3) : bytes;
}

export function ndjsonRecordsSeen(bytes: Buffer): number {
  const body = withoutBom(bytes);
  let records = 0;
  for (let from = 0; from < body.length; ) {
    const nl = body.indexOf(0x0a, from);
    const end = nl === -1 ? body.length : nl;
    if (body.subarray(from, end).some((byte) => !JSON_WHITESPACE.has(byte))) records++;
    from = end + 1;
  }
  return records;
}

export function jsonRecordsSeen(bytes: Buffer): number {
  const parsed = parseRepairing(withoutBom(bytes).toString('utf8'));
  return Array.isArray(parsed) ? parsed.length : 1;
}

function parseRepairing(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(jsonrepair(text));
    } catch {
      return undefined;
    }
  }
}

export type CsvVerdict = { valid: true; rows: number } | { valid: false; why: string };

/** The loader's CSV contract, re-derived: a plain string walk (the loader's scanner works on bytes, in chunks). */
export function csvVerdict(bytes: Buffer): CsvVerdict {
  if (!isUtf8(bytes)) return { valid: false, why: 'invalid UTF-8' };
  if (bytes.includes(0)) return { valid: false, why: 'NUL byte' };
  const text = withoutBom(bytes).toString('utf8');
  if (text === '') return { valid: false, why: 'empty' };
  const widths: number[] = [];
  let ending: string | undefined;
  let i = 0;
  while (i < text.length) {
    let fields = 0;
    for (;;) {
      if (text[i] === '"') {
        let close = text.indexOf('"', i + 1);
        while (close !== -1 && text[close + 1] === '"') close = text.indexOf('"', close + 2);
        if (close === -1) return { valid: false, why: 'unclosed quote' };
        i = close + 1;
        if (i < text.length && !',\r\n'.includes(text[i]!)) return { valid: false, why: 'text after a closing quote' };
      } else {
        while (i < text.length && !',\r\n"'.includes(text[i]!)) i++;
        if (text[i] === '"') return { valid: false, why: 'quote inside an unquoted field' };
      }
      fields++;
      if (text[i] !== ',') break;
      i++;
    }
    widths.push(fields);
    if (i < text.length) {
      const lineEnding = text.startsWith('\r\n', i) ? '\r\n' : text[i]!;
      ending ??= lineEnding;
      if (lineEnding !== ending) return { valid: false, why: 'mixed line endings' };
      i += lineEnding.length;
    }
  }
  if (widths.some((width) => width !== widths[0])) return { valid: false, why: 'rows of different widths' };
  return { valid: true, rows: widths.length - 1 };
}
