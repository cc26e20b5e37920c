import { s } from '../dom.js';

/**
 * Graph labels cut to the room they have, measured in the font the stylesheet gives them, so a node's name, type,
 * status dot and duration never run into each other whatever their length. A canvas measures text without laying out
 * the page, which thousands of nodes could not afford.
 */

let context: CanvasRenderingContext2D | null = null;
const fonts = new Map<string, string>();

/** The CSS font of a graph text of this class, read once from a probe in an `svg.graph-svg`. */
function fontOf(className: string): string {
  let font = fonts.get(className);
  if (font === undefined) {
    const text = s('text', { class: className });
    const probe = s('svg', { class: 'graph-svg', width: 0, height: 0 }, text);
    document.body.append(probe);
    const style = getComputedStyle(text);
    font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    probe.remove();
    fonts.set(className, font);
  }
  return font;
}

/** The width in pixels of `text` set in the font of a graph text of class `className`. */
export function textWidth(text: string, className: string): number {
  context ??= document.createElement('canvas').getContext('2d');
  if (!context) return text.length * 8;
  context.font = fontOf(className);
  return context.measureText(text).width;
}

/** `text` if it fits in `width` pixels, else its longest start that fits with an ellipsis. */
export function fitText(text: string, className: string, width: number): string {
  if (textWidth(text, className) <= width) return text;
  // Binary search for the longest prefix whose shortened form fits.
  let low = 0;
  let high = text.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (textWidth(`${text.slice(0, mid)}…`, className) <= width) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low)}…`;
}
