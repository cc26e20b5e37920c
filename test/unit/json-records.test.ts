import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { arrayElementTexts } from '../../src/loaders/json/array-elements.js';
import { copyField, copyRow } from '../../src/loaders/json/copy-text.js';
import { formatOf, readJsonRecords, type JsonFormat, type JsonItem, type JsonRecord, type JsonReject } from '../../src/loaders/json/json-records.js';
import { jsonbProblem } from '../../src/loaders/json/jsonb-check.js';

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
}

async function read(format: JsonFormat, ...parts: (string | Buffer)[]): Promise<JsonItem[]> {
  const items: JsonItem[] = [];
  for await (const item of readJsonRecords(chunks(...parts), format)) items.push(item);
  return items;
}

async function one(format: JsonFormat, text: string): Promise<JsonItem> {
  const items = await read(format, text);
  expect(items).toHaveLength(1);
  return items[0] as JsonItem;
}

function asRecord(item: JsonItem | undefined): JsonRecord {
  expect(item?.kind, JSON.stringify(item)).toBe('record');
  return item as JsonRecord;
}

function asReject(item: JsonItem | undefined): JsonReject {
  expect(item?.kind, JSON.stringify(item)).toBe('reject');
  return item as JsonReject;
}

describe('formatOf', () => {
  it('maps extensions, case-insensitively', () => {
    expect(formatOf('seeds/a.json')).toBe('json');
    expect(formatOf('seeds/A.JSON')).toBe('json');
    expect(formatOf('b.ndjson')).toBe('ndjson');
    expect(formatOf('c.jsonl')).toBe('ndjson');
    expect(formatOf('d.csv')).toBeUndefined();
    expect(formatOf('json')).toBeUndefined();
    expect(formatOf('e.json.gz')).toBeUndefined();
  });
});

describe('breakage that jsonrepair repairs (flagged repaired)', () => {
  // What jsonrepair 3.15 makes of each kind; the record is the repaired object.
  const cases: [string, string, unknown][] = [
    ['truncated object', '{"a":1,"b":[1,2', { a: 1, b: [1, 2] }],
    ['truncated string', '{"a":"unterminated', { a: 'unterminated' }],
    ['truncated after a colon', '{"a":', { a: null }],
    ['truncated after a comma', '{"a":1,', { a: 1 }],
    ['trailing comma', '{"a":1,"b":[1,2,],}', { a: 1, b: [1, 2] }],
    ['single quotes', "{'a':'it\\'s','b':\"x\"}", { a: "it's", b: 'x' }],
    ['unquoted keys', '{a:1,b_c:"x"}', { a: 1, b_c: 'x' }],
    // PostgreSQL's JSON has no NaN: jsonrepair quotes them; 'NaN'/'Infinity' still cast to numeric in PostgreSQL.
    ['NaN and Infinity', '{"a":NaN,"b":Infinity,"c":-Infinity,"d":[NaN]}', { a: 'NaN', b: 'Infinity', c: '-Infinity', d: ['NaN'] }],
    ['line comment', '{"a":1} // trailing note', { a: 1 }],
    ['block comment', '{"a":/* inline */1,"b":2}', { a: 1, b: 2 }],
    ['Python constants', '{"a":None,"b":True,"c":False}', { a: null, b: true, c: false }],
    ['missing commas', '{"a":1 "b":[1 2]}', { a: 1, b: [1, 2] }],
    ['extra closing brackets', '{"a":1}}]', { a: 1 }],
  ];
  for (const [kind, text, expected] of cases) {
    it(`${kind}: ${text}`, async () => {
      const record = asRecord(await one('ndjson', text));
      expect(record.repaired).toBe(true);
      expect(record.recordNo).toBe(1);
      expect(JSON.parse(record.json)).toEqual(expected);
    });
  }

  it('keeps numbers exactly as written, repaired or not (no round trip through JavaScript numbers)', async () => {
    const [plain, repaired] = await read('ndjson', '{"id":12345678901234567890,"x":1.10}\n', "{id:12345678901234567890,x:1.10,}\n");
    expect(asRecord(plain).json).toBe('{"id":12345678901234567890,"x":1.10}');
    expect(asRecord(repaired).json).toContain('12345678901234567890');
    expect(asRecord(repaired).json).toContain('1.10');
  });

  it('keeps a valid line as it is, unflagged', async () => {
    const record = asRecord(await one('ndjson', '{ "a" : [1, 2] , "b":"\\t" }'));
    expect(record).toEqual({ kind: 'record', recordNo: 1, json: '{ "a" : [1, 2] , "b":"\\t" }', repaired: false });
  });
});

describe('rejects', () => {
  // Inputs jsonrepair throws on (found by trying): the reject carries its message and JSON.parse's.
  const unrepairable = [
    '}{',
    '{"a":1}{"b":2}', // two documents on one line
    '{"a":1,,"b":2}',
    '{"a":+1}',
    '{"a":"\\u12"}', // broken \u escape
    '{"a":"bell\u0007"}', // raw control character inside a string
    '// only a comment',
    '{"a":1} #',
  ];
  for (const text of unrepairable) {
    it(`cannot be repaired: ${JSON.stringify(text)}`, async () => {
      const reject = asReject(await one('ndjson', text));
      expect(reject.rawText).toBe(text);
      expect(reject.error).toMatch(/^invalid JSON that jsonrepair cannot repair: .+ \(JSON\.parse: .+\)$/s);
    });
  }

  it('binary garbage that jsonrepair turns into a string is rejected as not an object', async () => {
    const garbage = Buffer.from([0x00, 0x01, 0x02, 0xff, 0x0a]);
    const reject = asReject((await read('ndjson', garbage))[0]);
    expect(reject.error).toBe('not a JSON object (got string after repair)');
    expect(reject.rawText).toBe('\u0000\u0001\u0002\ufffd');
  });

  const nonObjects: [string, string][] = [
    ['[{"a":1}]', 'array'],
    ['"text"', 'string'],
    ['42', 'number'],
    ['null', 'null'],
    ['true', 'boolean'],
  ];
  for (const [text, kind] of nonObjects) {
    it(`not an object: ${text}`, async () => {
      expect(await one('ndjson', text)).toEqual({ kind: 'reject', recordNo: 1, rawText: text, error: `not a JSON object (got ${kind})` });
    });
  }

  it('rejects what jsonb cannot store: \\u0000 and unpaired surrogates', async () => {
    const items = await read(
      'ndjson',
      [
        '{"a":"x\\u0000y"}',
        '{"a":"\\ud800"}',
        '{"a":"\\udc00x"}',
        '{"a":"\\ud800\\u0041"}',
        "{a:'\\u0000'}", // repaired, still \u0000
        '{"a":"\\\\u0000"}', // an escaped backslash, then the text u0000: fine
        '{"a":"\\ud83d\\ude00 \\u00e9 \\\\ud800"}', // a proper pair: fine
      ].join('\n'),
    );
    expect(items.map((item) => (item.kind === 'reject' ? item.error : 'ok'))).toEqual([
      "contains \\u0000, which PostgreSQL's jsonb cannot store",
      "contains an unpaired surrogate escape \\ud800, which PostgreSQL's jsonb rejects",
      "contains an unpaired surrogate escape \\udc00, which PostgreSQL's jsonb rejects",
      "contains an unpaired surrogate escape \\ud800, which PostgreSQL's jsonb rejects",
      "contains \\u0000, which PostgreSQL's jsonb cannot store",
      'ok',
      'ok',
    ]);
    expect(asReject(items[0]).rawText).toBe('{"a":"x\\u0000y"}');
  });

  it('jsonbProblem only looks further when there is a \\u', () => {
    expect(jsonbProblem('{"a":"\\\\ \\" \\n"}')).toBeUndefined();
    expect(jsonbProblem('{"a":"\\"\\u0000"}')).toMatch(/u0000/);
    expect(jsonbProblem('{"a":"\\uD800"}')).toMatch(/unpaired/);
    expect(jsonbProblem('{"a":"\\uDBFF\\uDFFF"}')).toBeUndefined();
  });
});

describe('ndjson streaming', () => {
  it('numbers records by line, skipping blank and whitespace-only lines', async () => {
    const items = await read('ndjson', '{"n":1}\n\n   \n\t\n{"n":5}\n{"n":6}\n');
    expect(items.map((item) => item.recordNo)).toEqual([1, 5, 6]);
  });

  it('handles CRLF, a missing final newline and a byte order mark', async () => {
    const items = await read('ndjson', '\ufeff{"n":1}\r\n\r\n{"n":3}\r\n{"n":4}');
    expect(items).toEqual([
      { kind: 'record', recordNo: 1, json: '{"n":1}', repaired: false },
      { kind: 'record', recordNo: 3, json: '{"n":3}', repaired: false },
      { kind: 'record', recordNo: 4, json: '{"n":4}', repaired: false },
    ]);
  });

  it('joins a multi-byte character split across chunks', async () => {
    const bytes = Buffer.from('{"s":"é"}\n{"s":"😀"}\n', 'utf8');
    const eAt = bytes.indexOf(0xc3);
    const emojiAt = bytes.indexOf(0xf0);
    const items = await read('ndjson', bytes.subarray(0, eAt + 1), bytes.subarray(eAt + 1, emojiAt + 2), bytes.subarray(emojiAt + 2));
    expect(items.map((item) => asRecord(item).json)).toEqual(['{"s":"é"}', '{"s":"😀"}']);
    expect(items.every((item) => asRecord(item).repaired === false)).toBe(true);
  });

  it('gives the same items whatever the chunking (one byte at a time, or all at once)', async () => {
    const text = '\ufeff{"a":"ü€😀"}\r\n\n{a:1,}\n[1]\n{"b":"\\u0000"}\n  \n{"c":[1,2\r\n{"d":"ß"}';
    const bytes = Buffer.from(text, 'utf8');
    const whole = await read('ndjson', bytes);
    const byteWise = await read('ndjson', ...[...bytes].map((b) => Buffer.from([b])));
    const threes: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 3) threes.push(bytes.subarray(i, i + 3));
    expect(whole.map((item) => item.recordNo)).toEqual([1, 3, 4, 5, 7, 8]);
    expect(byteWise).toEqual(whole);
    expect(await read('ndjson', ...threes)).toEqual(whole);
  });

  it('flags a line with invalid UTF-8 as repaired (U+FFFD), and only that line', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n{"b":"'), Buffer.from([0xe9]), Buffer.from('t\u00e9"}\n{"c":3}\n')]);
    const items = await read('ndjson', bytes);
    expect(items.map((item) => asRecord(item).repaired)).toEqual([false, true, false]);
    expect(asRecord(items[1]).json).toBe('{"b":"\ufffdt\u00e9"}');
  });

  it('accepts a Node stream and string chunks', async () => {
    const items: JsonItem[] = [];
    for await (const item of readJsonRecords(Readable.from(['{"a":', '1}\n{"b":2}']), 'ndjson')) items.push(item);
    expect(items.map((item) => asRecord(item).json)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('drops nothing: records + rejects = non-blank lines', async () => {
    const lines = ['{"ok":1}', '', '{broken', 'not json at all ]', '[]', '{"a":"\\u0000"}', '  ', '}{', "{'q':1}", '{"ok":2}'];
    const items = await read('ndjson', lines.join('\n'));
    const nonBlank = lines.filter((line) => line.trim() !== '').length;
    expect(items).toHaveLength(nonBlank);
    expect(new Set(items.map((item) => item.recordNo)).size).toBe(nonBlank);
    expect(items.filter((item) => item.kind === 'record')).toHaveLength(4);
  });
});

describe('json documents', () => {
  it('a single document is record 1, kept as written', async () => {
    const text = '\ufeff{\n  "a": 1,\n  "big": 12345678901234567890\n}\n';
    expect(await read('json', text)).toEqual([{ kind: 'record', recordNo: 1, json: text.slice(1).trim(), repaired: false }]);
  });

  it('each element of a top-level array is a record, numbered from 1, with its own text', async () => {
    const text = '[\n  {"a": "x,]}\\"{["},\n  {"b": [1, {"c": 2}]},\n  7,\n  {"d": "\\u0000"},\n  {"e": 12345678901234567890}\n]';
    expect(await read('json', text)).toEqual([
      { kind: 'record', recordNo: 1, json: '{"a": "x,]}\\"{["}', repaired: false },
      { kind: 'record', recordNo: 2, json: '{"b": [1, {"c": 2}]}', repaired: false },
      { kind: 'reject', recordNo: 3, rawText: '7', error: 'not a JSON object (got number)' },
      { kind: 'reject', recordNo: 4, rawText: '{"d": "\\u0000"}', error: "contains \\u0000, which PostgreSQL's jsonb cannot store" },
      { kind: 'record', recordNo: 5, json: '{"e": 12345678901234567890}', repaired: false },
    ]);
  });

  it('an empty array has no records', async () => {
    expect(await read('json', ' [ ] ')).toEqual([]);
  });

  it('repairs a document: truncated array, comments, trailing commas, Python constants, NaN', async () => {
    const text = '// export\n[\n  {id: 1, ok: True, score: NaN}, /* two */\n  {"id": 2, "tags": [\'x\',],},\n  {"id": 3, "name": "cut';
    const items = await read('json', text);
    expect(items.map((item) => asRecord(item).repaired)).toEqual([true, true, true]);
    expect(items.map((item) => JSON.parse(asRecord(item).json))).toEqual([
      { id: 1, ok: true, score: 'NaN' },
      { id: 2, tags: ['x'] },
      { id: 3, name: 'cut' },
    ]);
  });

  it('ndjson saved as .json is repaired into an array of records', async () => {
    const items = await read('json', '{"a":1}\n{"b":2}\n');
    expect(items).toEqual([
      { kind: 'record', recordNo: 1, json: '{"a":1}', repaired: true },
      { kind: 'record', recordNo: 2, json: '{"b":2}', repaired: true },
    ]);
  });

  it('a document that cannot be repaired is one reject carrying the whole text', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const [reject, ...rest] = await read('json', png);
    expect(rest).toEqual([]);
    expect(asReject(reject).recordNo).toBe(1);
    expect(asReject(reject).rawText).toBe(png.toString('utf8'));
    expect(asReject(reject).error).toMatch(/^invalid JSON that jsonrepair cannot repair: Unexpected character/);
    expect(asReject((await read('json', ''))[0]).error).toMatch(/cannot repair/);
    expect(asReject((await read('json', '{"a":1}{"b":2}'))[0]).rawText).toBe('{"a":1}{"b":2}');
  });

  it('a top-level scalar is one reject', async () => {
    expect(await read('json', '"hello"')).toEqual([{ kind: 'reject', recordNo: 1, rawText: '"hello"', error: 'not a JSON object (got string)' }]);
  });

  it('reads a document split across chunks, mid-character', async () => {
    const bytes = Buffer.from('[{"s":"€"}]', 'utf8');
    const at = bytes.indexOf(0xe2) + 1;
    expect(await read('json', bytes.subarray(0, at), bytes.subarray(at))).toEqual([{ kind: 'record', recordNo: 1, json: '{"s":"€"}', repaired: false }]);
  });
});

describe('arrayElementTexts', () => {
  it('agrees with JSON.parse', () => {
    const docs = ['[]', '[1]', ' [ "a" , {"b":[1,2,{"c":"]"}]} , null,[ ] ,{}] ', '[["x\\\\"],"\\\\",{"\\"":"\\""}]'];
    for (const doc of docs) {
      const texts = arrayElementTexts(doc);
      expect(texts.map((text) => JSON.parse(text) as unknown)).toEqual(JSON.parse(doc));
    }
  });
});

/** COPY text format decoding, as PostgreSQL does it for the escapes copyField produces. */
function decodeCopyField(field: string): string | null {
  if (field === '\\N') return null;
  const named: Record<string, string> = { t: '\t', n: '\n', r: '\r', '\\': '\\' };
  return field.replace(/\\(.)/gs, (_, ch: string) => named[ch] ?? ch);
}

describe('copyField', () => {
  it('escapes backslash, tab, newline and carriage return; null is \\N', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('')).toBe('');
    expect(copyField('{"a":"b"}')).toBe('{"a":"b"}');
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField('{"a":"\\u0041\\n"}')).toBe('{"a":"\\\\u0041\\\\n"}');
    expect(copyField('\\N')).toBe('\\\\N'); // the text \N, not null
    expect(copyField('\\.')).toBe('\\\\.'); // not the end-of-data marker
  });

  it('round-trips', () => {
    const values = ['', 'plain', '\\', '\\\\', '\t\t', '\r\n', 'é😀', '\\N', 'a\\tb', '{\n  "a": "x\\"y\\\\"\n}', null];
    for (const value of values) {
      const field = copyField(value);
      expect(field).not.toMatch(/[\t\n\r]/);
      expect(decodeCopyField(field)).toBe(value);
    }
  });

  it('copyRow joins fields with tabs and ends the row', () => {
    expect(copyRow(['{"a":1}', 'f\tile', null, 't'])).toBe('{"a":1}\tf\\tile\t\\N\tt\n');
  });
});
