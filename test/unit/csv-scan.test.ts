import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { scanCsv, uniqueColumnNames, type CsvOptions, type CsvScanHooks } from '../../src/loaders/csv/csv-scan.js';
import { TsdbtError } from '../../src/core/errors.js';
import { csvWithHugeFields, csvWithLateMisfit, inPieces } from '../helpers/scale-inputs.js';

function scan(input: string | Buffer, options: Partial<CsvOptions> = {}, hooks?: CsvScanHooks, piece = 5) {
  return scanCsv(inPieces(input, piece), 'seeds/x.csv', options, hooks);
}

async function scanError(input: string | Buffer, options: Partial<CsvOptions> = {}, piece?: number): Promise<TsdbtError> {
  const error: unknown = await scan(input, options, undefined, piece).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TsdbtError);
  return error as TsdbtError;
}

describe('scanCsv', () => {
  it('names columns and infers their types', async () => {
    const csv = 'id,name,amount,ok,day,at\n1,ann,1.5,true,2024-02-29,2024-01-01 10:00\n2,bob,2,FALSE,2024-03-01,2024-01-02\n';
    expect(await scan(csv)).toEqual({
      columns: ['id', 'name', 'amount', 'ok', 'day', 'at'],
      types: ['integer', 'text', 'numeric', 'boolean', 'date', 'timestamp'],
      rows: 2,
    });
  });

  it('reads a Node stream and string chunks', async () => {
    const result = await scanCsv(Readable.from(['a,b\n1,', 'x\n2,y\n']), 'x.csv', {});
    expect(result).toEqual({ columns: ['a', 'b'], types: ['integer', 'text'], rows: 2 });
  });

  it('gives a header-only file no rows and text columns', async () => {
    expect(await scan('a,b\n')).toEqual({ columns: ['a', 'b'], types: ['text', 'text'], rows: 0 });
    expect(await scan('a,b')).toEqual({ columns: ['a', 'b'], types: ['text', 'text'], rows: 0 });
  });

  it('names columns column_1..N without a header', async () => {
    expect(await scan('1,x\n2,y\n', { header: false })).toEqual({ columns: ['column_1', 'column_2'], types: ['integer', 'text'], rows: 2 });
  });

  it('makes header names unique and non-empty', async () => {
    expect((await scan('id,id,,Name,id_2, \n')).columns).toEqual(['id', 'id_3', 'column_3', 'Name', 'id_2', 'column_6']);
    expect(uniqueColumnNames(['a', 'A', 'a', 'a'])).toEqual(['a', 'A', 'a_2', 'a_3']);
  });

  it('strips a BOM', async () => {
    expect((await scan('\uFEFFa,b\n1,2\n', {}, undefined, 1)).columns).toEqual(['a', 'b']);
  });

  it('reads CRLF like LF, including line breaks inside quoted fields', async () => {
    const lf = 'a,b\n1,"x\ny"\n2,z\n';
    const crlf = lf.replaceAll('\n', '\r\n');
    const expected = { columns: ['a', 'b'], types: ['integer', 'text'], rows: 2 };
    expect(await scan(lf)).toEqual(expected);
    // A one-byte piece splits every CRLF.
    expect(await scan(crlf, {}, undefined, 1)).toEqual(expected);
    expect(await scan('a,b\r1,2\r')).toEqual({ columns: ['a', 'b'], types: ['integer', 'integer'], rows: 1 });
  });

  it('takes a custom delimiter and quote', async () => {
    const csv = "a;b;c\n'x;y';'it''s';1\n'';z;2\n";
    expect(await scan(csv, { delimiter: ';', quote: "'" })).toEqual({ columns: ['a', 'b', 'c'], types: ['text', 'text', 'integer'], rows: 2 });
  });

  describe('nulls', () => {
    it('skips unquoted empty fields by default but not other markers', async () => {
      expect((await scan('a,b,c\n1,,\n,2,\n3,NA,\n')).types).toEqual(['integer', 'text', 'text']);
    });

    it('honours nullValues', async () => {
      expect((await scan('a,b\n1,NA\nNA,\n3,4\n', { nullValues: ['NA', ''] })).types).toEqual(['integer', 'integer']);
      // With '' not listed, an empty field is an empty string.
      expect((await scan('a,b\n1,NA\n,2\n', { nullValues: ['NA'] })).types).toEqual(['text', 'integer']);
    });

    it('reads a quoted empty string as a value, not a null', async () => {
      expect((await scan('a,b,c\n1,"",x\n2,3,""\n')).types).toEqual(['integer', 'text', 'text']);
      expect((await scan('a,b\n1,"x"\n2,\n')).types).toEqual(['integer', 'text']);
      expect((await scan('a,b\n"1",""""\n"",2\n')).types).toEqual(['text', 'text']);
    });
  });

  describe('errors', () => {
    it('reports a ragged row at the line where it starts', async () => {
      const error = await scanError('a,b,c,d\n1,2,3,4\n"multi\nline",2,3,4\n1,2,3,4,5\n');
      expect(error.kind).toBe('runtime');
      expect(error.message).toBe('row has 5 fields, the header has 4');
      expect(error.location).toEqual({ file: 'seeds/x.csv', line: 5 });
      expect(error.hint).toContain('quote values');

      const short = await scanError('a,b,c\r\n1,"x\r\ny",3\r\n"p\r\nq",2\r\n');
      expect(short.message).toBe('row has 2 fields, the header has 3');
      expect(short.location?.line).toBe(4);

      const noHeader = await scanError('1,2\n3\n', { header: false });
      expect(noHeader.message).toBe('row has 1 fields, the first row has 2');
      expect(noHeader.location?.line).toBe(2);
    });

    it('reports an empty line', async () => {
      const error = await scanError('a,b\n1,2\n\n');
      expect(error.message).toContain('empty line');
      expect(error.location?.line).toBe(3);
      // With one column an empty line is a null, as PostgreSQL reads it.
      expect(await scan('a\n1\n\n2\n')).toEqual({ columns: ['a'], types: ['integer'], rows: 3 });
    });

    it('reports an unterminated quote at the line where the field starts', async () => {
      const error = await scanError('a,b\n1,2\n3,"never\nclosed\n4,5\n6,7\n');
      expect(error.message).toContain('unterminated quoted field');
      expect(error.location?.line).toBe(3);
      expect((await scanError('a,b\n1,2\n"x\n')).location?.line).toBe(3);
    });

    it('reports stray quotes', async () => {
      const closing = await scanError('a,b\n1,"x"y\n');
      expect(closing.message).toBe('a quoted field is followed by "y" instead of a delimiter or the end of the line');
      expect(closing.location?.line).toBe(2);
      const opening = await scanError('a,b\n1,2\n3,4"5\n');
      expect(opening.message).toContain('quote character inside an unquoted field');
      expect(opening.location?.line).toBe(3);
    });

    it('reports the first problem in the file', async () => {
      const error = await scanError('a,b\n1,2\r\n3\n');
      expect(error.message).toBe('line ends with CRLF, but earlier lines end with LF');
      expect(error.location?.line).toBe(2);
      for (const piece of [1, 2, 1000]) {
        const ragged = await scanError(Buffer.concat([Buffer.from('a\n1,2\n'), Buffer.from([0xe9])]), {}, piece);
        expect(ragged.message).toBe('row has 2 fields, the header has 1');
      }
    });

    it('names a non-ASCII character after a closing quote', async () => {
      const error = await scanError('a,b\n1,"x"é\n');
      expect(error.message).toBe('a quoted field is followed by "é" instead of a delimiter or the end of the line');
    });

    it('reports invalid UTF-8 at its line', async () => {
      const latin1 = Buffer.concat([Buffer.from('a,b\n1,2\n3,caf'), Buffer.from([0xe9]), Buffer.from('\n4,5\n')]);
      for (const piece of [1, 4, 1000]) {
        const error = await scanError(latin1, {}, piece);
        expect(error.message).toBe('invalid UTF-8 (byte 0xE9)');
        expect(error.location).toEqual({ file: 'seeds/x.csv', line: 3 });
      }
      const truncated = Buffer.concat([Buffer.from('a\nx\n'), Buffer.from('é').subarray(0, 1)]);
      expect((await scanError(truncated)).location?.line).toBe(3);
      expect((await scanError(Buffer.from('\uFEFFa,b\n', 'utf16le'))).hint).toContain('UTF-16');
    });

    it('reports a NUL byte', async () => {
      const error = await scanError(Buffer.from('a,b\n1,2\n3,x\u0000y\n'));
      expect(error.message).toBe('NUL byte (0x00) in the data');
      expect(error.location?.line).toBe(3);
    });

    it('accepts multi-byte characters split across buffers', async () => {
      expect(await scan('name,n\nçé€😀,1\n', {}, undefined, 1)).toEqual({ columns: ['name', 'n'], types: ['text', 'integer'], rows: 1 });
    });

    it('reports mixed line endings', async () => {
      const error = await scanError('a,b\n1,2\r\n3,4\n');
      expect(error.message).toBe('line ends with CRLF, but earlier lines end with LF');
      expect(error.location?.line).toBe(2);
    });

    it('reports an empty file', async () => {
      expect((await scanError('')).message).toBe('the CSV file is empty');
      expect((await scanError('\uFEFF')).message).toBe('the CSV file is empty');
    });

    it('reports read failures and bad options', async () => {
      async function* failing(): AsyncGenerator<Buffer> {
        yield Buffer.from('a\n1\n');
        throw new Error('disk on fire');
      }
      await expect(scanCsv(failing(), 'x.csv', {})).rejects.toThrow('cannot read the CSV file: disk on fire');
      await expect(scan('a\n', { delimiter: '||' })).rejects.toMatchObject({ kind: 'config' });
      await expect(scan('a\n', { quote: ',' })).rejects.toMatchObject({ kind: 'config' });
    });
  });

  describe('raw chunks', () => {
    const data = [
      '1,plain,2024-01-01',
      '2,"quoted, with comma",2024-01-02',
      '3,"embedded\nnewline and ""quotes""",2024-01-03',
      '4,,2024-01-04',
      '5,"a much longer value that is bigger than the chunk size all by itself, to see it go alone",2024-01-05',
      '6,"",2024-01-06',
      '7,última,2024-01-07',
    ];

    for (const [name, eol] of [
      ['LF', '\n'],
      ['CRLF', '\r\n'],
    ] as const) {
      for (const trailing of [true, false]) {
        it(`are the data part, cut at record boundaries (${name}, ${trailing ? 'with' : 'without'} a final line break)`, async () => {
          const body = data.map((line) => line.replaceAll('\n', eol)).join(eol) + (trailing ? eol : '');
          const header = `\uFEFFid,text,day${eol}`;
          const chunks: string[] = [];
          const result = await scan(header + body, {}, { onChunk: (text) => void chunks.push(text), chunkBytes: 64 }, 7);
          expect(result.rows).toBe(data.length);
          expect(chunks.join('')).toBe(body);
          expect(chunks.length).toBeGreaterThan(2);
          let records = 0;
          for (const chunk of chunks) {
            // Each chunk is whole records of 3 fields (the scan rejects anything else).
            const parsed = await scanCsv([Buffer.from(chunk)], 'chunk.csv', { header: false });
            expect(parsed.columns).toHaveLength(3);
            records += parsed.rows;
            if (parsed.rows > 1) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(64);
          }
          expect(records).toBe(data.length);
        });
      }
    }

    it('start after the BOM without a header and wait for async consumers', async () => {
      const chunks: string[] = [];
      const onChunk = async (text: string) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        chunks.push(text);
      };
      const body = Array.from({ length: 50 }, (_, i) => `${i},x${i}\n`).join('');
      await scan(`\uFEFF${body}`, { header: false }, { onChunk, chunkBytes: 32 }, 3);
      expect(chunks.join('')).toBe(body);
    });

    it('come as bytes through onChunkBytes, the same as the text of onChunk', async () => {
      const body = Array.from({ length: 200 }, (_, i) => `${i},"é ""${i}""\nx"\r\n`).join('');
      const raw: Buffer[] = [];
      const texts: string[] = [];
      const onChunkBytes = async (bytes: Buffer) => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        raw.push(bytes);
      };
      const result = await scan(`a,b\r\n${body}`, {}, { onChunkBytes, onChunk: (text) => void texts.push(text), chunkBytes: 100 }, 13);
      expect(result).toEqual({ columns: ['a', 'b'], types: ['integer', 'text'], rows: 200 });
      expect(raw.length).toBeGreaterThan(10);
      expect(raw.map((bytes) => bytes.toString())).toEqual(texts);
      expect(Buffer.concat(raw).toString()).toBe(body);
    });

    it('are not produced for a header-only file', async () => {
      const chunks: string[] = [];
      await scan('a,b\n', {}, { onChunk: (text) => void chunks.push(text) });
      expect(chunks).toEqual([]);
    });
  });

  // How fast these two scan is a figure of `npm run bench -- --only in-process`, on the same inputs.
  it('reads a field far larger than the input buffers', async () => {
    const csv = csvWithHugeFields(3_000_000);
    const chunks: string[] = [];
    const result = await scan(csv, {}, { onChunk: (text) => void chunks.push(text), chunkBytes: 1000 }, 1000);
    expect(result).toEqual({ columns: ['a', 'b'], types: ['integer', 'text'], rows: 2 });
    expect(chunks.join('')).toBe(csv.slice(4));
    const big = 'x'.repeat(3_000_000);
    expect((await scanError(`a,b\n1,"${big}\n${big}\n2,3\n`, {}, 1000)).location?.line).toBe(2);
  });

  it('scans a million values with one misfit at the very end', async () => {
    const result = await scanCsv(inPieces(csvWithLateMisfit(1_000_000), 65536), 'big.csv', {});
    expect(result).toEqual({ columns: ['a', 'b'], types: ['numeric', 'text'], rows: 1_000_001 });
  });
});
