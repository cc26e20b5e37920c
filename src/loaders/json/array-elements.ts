const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The source text of each element of a top-level JSON array, so that records keep their numbers exactly as written
 * (re-serialising parsed values would round integers beyond 2^53).
 * `json` must be valid JSON (it has passed JSON.parse) whose top level is an array: then a scan that only tracks
 * strings and nesting depth finds the element boundaries.
 */
export function arrayElementTexts(json: string): string[] {
  const elements: string[] = [];
  const open = json.indexOf('[');
  let from = open + 1;
  let depth = 0;
  for (let i = open; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string: its brackets and commas are not structure.
      for (i++; i < json.length; i++) {
        const s = json.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
      if (depth === 0) {
        const last = json.slice(from, i).trim();
        if (last !== '') elements.push(last); // '' only for []
        return elements;
      }
    } else if (c === COMMA && depth === 1) {
      elements.push(json.slice(from, i).trim());
      from = i + 1;
    }
  }
  return elements;
}
