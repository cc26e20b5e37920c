/** A syntax problem the scanner found; the scan locates it (the record's or the field's first line). */
export type CsvProblem =
  /** A record whose field count differs from the first record's; `emptyLine` when it is one empty field. */
  | { code: 'fields'; fields: number; emptyLine: boolean }
  /** The input ends inside a quoted field. */
  | { code: 'unclosed-quote' }
  /** A quoted field's closing quote is followed by `got` rather than a delimiter or a line break. */
  | { code: 'after-closing-quote'; got: string }
  /** A quote character after the start of an unquoted field. */
  | { code: 'quote-in-unquoted' }
  /** A record that grows past the size limit (usually a quote that is never closed). */
  | { code: 'record-too-large' };

/** What a scan knows about the input when it gives up. */
export interface CsvErrorContext {
  /** Fields per row: the header's count, or the first row's without a header. */
  expectedFields: number | undefined;
  header: boolean;
  delimiter: string;
  quote: string;
  maxRecordBytes: number;
}

/** A plain message and a hint for a syntax problem. */
export function describeCsvProblem(problem: CsvProblem, ctx: CsvErrorContext): { message: string; hint: string } {
  const q = ctx.quote;
  switch (problem.code) {
    case 'fields': {
      const expected = ctx.expectedFields ?? '?';
      const against = ctx.header ? 'the header has' : 'the first row has';
      if (problem.emptyLine) {
        return {
          message: `empty line, but ${against} ${expected} fields`,
          hint: 'remove the empty line (PostgreSQL reads it as a row with one empty field)',
        };
      }
      return {
        message: `row has ${problem.fields} fields, ${against} ${expected}`,
        hint:
          problem.fields > (ctx.expectedFields ?? 0)
            ? `quote values that contain the delimiter ${JSON.stringify(ctx.delimiter)}`
            : `every row needs ${expected} fields; write an empty value as nothing between two delimiters`,
      };
    }
    case 'unclosed-quote':
      return {
        message: 'unterminated quoted field: the quote that opens it is never closed',
        hint: `a quote inside a quoted value is written twice (${q}${q})`,
      };
    case 'after-closing-quote':
      return {
        message: `a quoted field is followed by ${JSON.stringify(problem.got)} instead of a delimiter or the end of the line`,
        hint: `a quote inside a quoted value is written twice (${q}${q})`,
      };
    case 'quote-in-unquoted':
      return {
        message: 'a quote character inside an unquoted field',
        hint: `quote the whole field and write the quotes inside it twice (${q}${q})`,
      };
    case 'record-too-large':
      return {
        message: `the row grows past ${ctx.maxRecordBytes} bytes in a field starting here`,
        hint: 'this usually means a quoted field whose closing quote is missing',
      };
  }
}

/** The hint for input that is not UTF-8; `start` is the first bytes of the file. */
export function utf8Hint(start: Uint8Array): string {
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
    return 'the file looks like UTF-16; save it as UTF-8';
  }
  return 'save the file as UTF-8 (it may be Latin-1 or Windows-1252)';
}
