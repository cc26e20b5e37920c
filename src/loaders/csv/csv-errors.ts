import type { CsvError } from 'csv-parse';

/** What a scan knows about the input when csv-parse gives up. */
export interface CsvErrorContext {
  /** Fields per row: the header's count, or the first row's without a header. */
  expectedFields: number | undefined;
  header: boolean;
  delimiter: string;
  quote: string;
  maxRecordBytes: number;
}

export type CsvProblemPlace = 'record' | 'field';

/**
 * A plain message for a csv-parse error. csv-parse's own messages name its line counter, which counts a CRLF inside
 * a quoted field twice, so the scan computes the line itself from the place returned here.
 */
export function describeCsvError(
  error: CsvError,
  ctx: CsvErrorContext,
): { message: string; hint?: string; place: CsvProblemPlace } {
  const q = ctx.quote;
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const record = Array.isArray(error['record']) ? (error['record'] as unknown[]) : [];
      const expected = ctx.expectedFields ?? '?';
      const against = ctx.header ? 'the header has' : 'the first row has';
      if (record.length === 1 && record[0] === '') {
        return {
          message: `empty line, but ${against} ${expected} fields`,
          hint: 'remove the empty line (PostgreSQL reads it as a row with one empty field)',
          place: 'record',
        };
      }
      return {
        message: `row has ${record.length} fields, ${against} ${expected}`,
        hint:
          record.length > (ctx.expectedFields ?? 0)
            ? `quote values that contain the delimiter ${JSON.stringify(ctx.delimiter)}`
            : `every row needs ${expected} fields; write an empty value as nothing between two delimiters`,
        place: 'record',
      };
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return {
        message: 'unterminated quoted field: the quote that opens it is never closed',
        hint: `a quote inside a quoted value is written twice (${q}${q})`,
        place: 'field',
      };
    case 'CSV_INVALID_CLOSING_QUOTE': {
      const got = /got "(.*?)" at line/s.exec(error.message)?.[1];
      return {
        message: `a quoted field is followed by ${got === undefined ? 'a character' : JSON.stringify(got)} instead of a delimiter or the end of the line`,
        hint: `a quote inside a quoted value is written twice (${q}${q})`,
        place: 'field',
      };
    }
    case 'INVALID_OPENING_QUOTE':
      return {
        message: 'a quote character inside an unquoted field',
        hint: `quote the whole field and write the quotes inside it twice (${q}${q})`,
        place: 'field',
      };
    case 'CSV_MAX_RECORD_SIZE':
      return {
        message: `the row grows past ${ctx.maxRecordBytes} bytes in a field starting here`,
        hint: 'this usually means a quoted field whose closing quote is missing',
        place: 'field',
      };
    default:
      return { message: `malformed CSV: ${error.message}`, place: 'field' };
  }
}

/** The hint for input that is not UTF-8; `start` is the first bytes of the file. */
export function utf8Hint(start: Buffer): string {
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
    return 'the file looks like UTF-16; save it as UTF-8';
  }
  return 'save the file as UTF-8 (it may be Latin-1 or Windows-1252)';
}
