import { isScalar, parseDocument, visit } from 'yaml';
import { isSecretKey } from '../redact.js';

const MASK = '*****';

/** A value that only names the variable it reads (`"{{env_var 'PGPASSWORD'}}"`): shown, it says what to set. */
const ONLY_ENV_VAR = /^(["']?)\{\{\s*env_var\s+(\\?["'])\w+\2\s*\}\}\1$/;

/**
 * profiles.yml as code frames show it, with the values of keys named like credentials masked (`password`, `pass`,
 * `token`...). Where the file parses, exactly those values; where it does not (the error may be that it is malformed),
 * everything after such a name on its line, and the more indented lines under it.
 */
export function maskSecretValues(text: string): string {
  const doc = parseDocument(text);
  const ranges: Array<[number, number]> = [];
  visit(doc, {
    Pair: (_key, pair) => {
      if (!isScalar(pair.key) || !isSecretKey(pair.key.value)) return undefined;
      const range = (pair.value as { range?: [number, number, number] } | null)?.range;
      if (range) ranges.push([range[0], range[1]]);
      // The whole value is masked: nothing under it needs looking at.
      return visit.SKIP;
    },
  });
  let masked = text;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) {
    const value = masked.slice(start, end);
    if (!ONLY_ENV_VAR.test(value)) masked = masked.slice(0, start) + maskLines(value) + masked.slice(end);
  }
  return doc.errors.length > 0 ? maskAfterSecretNames(masked) : masked;
}

/** Each line's content, after its indentation, becomes the mask: line numbers and indentation stay. */
function maskLines(text: string): string {
  return text.replace(/^([ \t]*)\S.*$/gm, `$1${MASK}`);
}

/** A word that could be a key: a secret name, then whatever follows it on its line. */
const KEY_WORD = /(["']?)([A-Za-z_][\w.-]*)\1/g;

function maskAfterSecretNames(text: string): string {
  const lines = text.split('\n');
  let underIndent: number | undefined;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const indent = /^\s*/.exec(line)![0].length;
    if (underIndent !== undefined) {
      if (line.trim() === '' || indent > underIndent) {
        lines[n] = maskLines(line);
        continue;
      }
      underIndent = undefined;
    }
    for (const word of line.matchAll(KEY_WORD)) {
      if (!isSecretKey(word[2])) continue;
      const valueStart = word.index + word[0].length + /^\s*:?\s*/.exec(line.slice(word.index + word[0].length))![0].length;
      const rest = line.slice(valueStart);
      // An empty value or a block scalar's header: the value is on the lines under it.
      if (rest === '' || /^[|>][-+\d]*\s*(#.*)?$/.test(rest)) underIndent = indent;
      else if (!ONLY_ENV_VAR.test(rest.trim())) lines[n] = `${line.slice(0, valueStart)}${MASK}`;
      break;
    }
  }
  return lines.join('\n');
}
