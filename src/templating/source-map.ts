import type { SourceLocation } from '../core/nodes.js';
import { LineIndex } from '../util/line-index.js';

/** Where a character of a rendered template was written in the template (1-based line and column). */
export interface TemplatePosition extends SourceLocation {
  /**
   * False when a `{{…}}` call produced the character (a ref's relation name, a macro's text): the position is then
   * that call's, the nearest the template can say.
   */
  exact: boolean;
}

/** A rendering with where each of its characters came from. */
export interface TracedRender {
  text: string;
  /** The template position of `text[offset]`; an offset at the end is the end of the last text. */
  positionAt(offset: number): TemplatePosition;
}

/** One piece of the template's own text: where it starts in the source and what of it is rendered. */
interface TextPiece {
  /** Offset in the source of the first rendered character (after whitespace control stripped any). */
  start: number;
  length: number;
  /** Offset in the source just past the piece's original text: where the next `{{` begins. */
  end: number;
}

// Private-use characters: they never occur in SQL, and no whitespace control or trimming removes them.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/g;

/**
 * Prefixes every piece of literal text in a parsed template with a marker naming it (in place), so that its rendering
 * says where each character came from (`unmarkRendering`). Text inside loops is marked on every pass; text of
 * partials (macros) is not, and counts as the output of the `{{> …}}` call.
 */
export function markTemplateText(ast: hbs.AST.Program, source: string): TextPiece[] {
  const lines = new LineIndex(source);
  const pieces: TextPiece[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Record<string, unknown> & { type?: string };
    if (n.type === 'ContentStatement') {
      // @types/handlebars types `original` as strip flags; it is the text as written.
      const content = n as unknown as Omit<hbs.AST.ContentStatement, 'original'> & { original: string };
      const origin = lines.offsetOf(content.loc.start.line, content.loc.start.column);
      // Whitespace control and standalone block lines strip only whitespace at either end of the original text.
      const stripped = content.value === '' ? 0 : Math.max(0, content.original.indexOf(content.value));
      pieces.push({ start: origin + stripped, length: content.value.length, end: origin + content.original.length });
      content.value = `${OPEN}${pieces.length - 1}${CLOSE}${content.value}`;
      return;
    }
    for (const key of ['body', 'program', 'inverse']) visit(n[key]);
  };
  visit(ast);
  return pieces;
}

/** Takes the markers out of a marked template's rendering, keeping for each character where it came from. */
export function unmarkRendering(marked: string, pieces: TextPiece[], source: string): TracedRender {
  // For each stretch of output after a marker: where it starts in the output, and which piece it follows.
  const stretches: Array<{ at: number; piece: number }> = [];
  let text = '';
  let last = 0;
  for (const match of marked.matchAll(MARKER)) {
    text += marked.slice(last, match.index);
    stretches.push({ at: text.length, piece: Number(match[1]) });
    last = match.index + match[0].length;
  }
  text += marked.slice(last);
  const lines = new LineIndex(source);
  const positionOf = (offset: number, exact: boolean): TemplatePosition => ({ ...lines.positionOf(offset), exact });
  return {
    text,
    positionAt(offset) {
      let found: (typeof stretches)[number] | undefined;
      for (const stretch of stretches) {
        if (stretch.at > offset) break;
        found = stretch;
      }
      // Output before any text of the template's own is the output of its first call, at the very start.
      if (!found) return positionOf(0, false);
      const piece = pieces[found.piece]!;
      const into = offset - found.at;
      return into < piece.length ? positionOf(piece.start + into, true) : positionOf(piece.end, offset >= text.length);
    },
  };
}
