import { TsdbtError } from '../core/errors.js';

/** Turns a Handlebars parse or runtime exception into an error at file:line:column with a code frame. */
export function templateError(error: unknown, file: string, source: string): TsdbtError {
  if (error instanceof TsdbtError) {
    // Helpers know the line and column of their call but not the file they were called from.
    if (error.location?.file) return error;
    return new TsdbtError(error.kind, error.message, { location: { ...error.location, file }, hint: error.hint, source, cause: error.cause });
  }
  const message = error instanceof Error ? error.message : String(error);
  const exception = error as { lineNumber?: number; column?: number };
  if (exception.lineNumber !== undefined) {
    return new TsdbtError('compile', `template error: ${message.replace(/ - \d+:\d+$/, '')}`, {
      location: { file, line: exception.lineNumber, column: (exception.column ?? 0) + 1 },
      source,
      cause: error,
    });
  }
  const parse = /^Parse error on line (\d+):\n(.*)\n(-*)\^\n.*got '([^']+)'/s.exec(message);
  if (parse) {
    const line = Number(parse[1]);
    const got = parse[4]!;
    return new TsdbtError('compile', `template syntax error: unexpected ${got === 'EOF' ? 'end of file' : tokenName(got)}`, {
      location: { file, line, column: columnOf(source, line, parse[2]!.slice(0, parse[3]!.length)) },
      hint: 'every {{ needs its }}, and every {{#block}} its {{/block}}',
      source,
      cause: error,
    });
  }
  return new TsdbtError('compile', `template error: ${message}`, { location: { file }, source, cause: error });
}

function tokenName(token: string): string {
  const names: Record<string, string> = { CLOSE: "'}}'", OPEN: "'{{'", STRING: 'string', ID: 'name', OPEN_ENDBLOCK: "'{{/'" };
  return names[token] ?? token.toLowerCase().replace(/_/g, ' ');
}

/** Handlebars shows the 20 characters before the error with newlines removed; find where they end on `line`. */
function columnOf(source: string, line: number, before: string): number | undefined {
  const text = source.split(/\r?\n/)[line - 1];
  if (text === undefined) return undefined;
  for (let length = before.length; length > 0; length--) {
    const index = text.lastIndexOf(before.slice(-length));
    if (index >= 0) return index + length + 1;
  }
  return 1;
}
