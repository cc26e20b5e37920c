import type { RefCall, SourceCall } from '../core/nodes.js';
import { LineIndex } from '../util/line-index.js';

export interface ScannedDependencies {
  refs: RefCall[];
  sources: SourceCall[];
}

/** A string literal without interpolation: `'x'`, `"x"` or `` `x` ``. */
const LITERAL = String.raw`(?:'([^'\\\n]*)'|"([^"\\\n]*)"|\x60([^\x60\\$]*)\x60)`;
/** `ref('x')` and `source('s', 't')`, called bare or as a method (`context.ref`), but not `myref('x')`. */
const CALL = new RegExp(String.raw`(?<![\w$])(ref|source)\s*\(\s*${LITERAL}\s*(?:,\s*${LITERAL}\s*)?,?\s*\)`, 'g');

/**
 * The models and sources a TypeScript model reads, found statically like dbt's static parser: `ref`/`source` calls
 * whose arguments are literals, outside comments. A dynamic `ref(name)` is not seen: `config.depends_on` declares it.
 */
export function scanDependencies(code: string): ScannedDependencies {
  const text = blankComments(code);
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  const lines = new LineIndex(text);
  for (const match of text.matchAll(CALL)) {
    const [first, second] = [match[2] ?? match[3] ?? match[4], match[5] ?? match[6] ?? match[7]];
    const loc = lines.positionOf(match.index);
    if (match[1] === 'ref' && second === undefined) refs.push({ name: first!, loc });
    else if (match[1] === 'source' && second !== undefined) sources.push({ source: first!, table: second, loc });
  }
  return { refs, sources };
}

/**
 * Replaces comments by spaces (keeping newlines, so offsets and lines stay true). Strings are skipped whole, so a `//`
 * inside one is not a comment; template literals are skipped up to their end, interpolations included.
 */
function blankComments(code: string): string {
  const out = code.split('');
  let i = 0;
  while (i < code.length) {
    const character = code[i]!;
    const next = code[i + 1];
    if (character === '/' && next === '/') {
      const end = code.indexOf('\n', i);
      i = blank(out, i, end < 0 ? code.length : end);
    } else if (character === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      i = blank(out, i, end < 0 ? code.length : end + 2);
    } else if (character === "'" || character === '"' || character === '`') {
      i = skipString(code, i);
    } else {
      i++;
    }
  }
  return out.join('');
}

function blank(out: string[], start: number, end: number): number {
  for (let i = start; i < end; i++) if (out[i] !== '\n') out[i] = ' ';
  return end;
}

/** The index after the string starting at `start`; an unterminated quote ends at the line (the bundler reports it). */
function skipString(code: string, start: number): number {
  const quote = code[start]!;
  let i = start + 1;
  while (i < code.length) {
    const character = code[i]!;
    if (character === '\\') i += 2;
    else if (character === quote) return i + 1;
    else if (character === '\n' && quote !== '`') return i;
    else i++;
  }
  return i;
}
