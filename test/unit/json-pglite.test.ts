import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyRow } from '../../src/loaders/json/copy-text.js';
import { readJsonRecords, type JsonItem } from '../../src/loaders/json/json-records.js';

/*
 * The claims the JSON reader makes about PostgreSQL, checked against PostgreSQL (PGlite): what it calls a record,
 * jsonb accepts through COPY text format; what it rejects for jsonb reasons, jsonb really refuses.
 */

let dir: string;
let db: PGlite;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsdbt-json-pglite-'));
  cpSync(inject('pgliteTemplate'), dir, { recursive: true });
  db = await PGlite.create(dir);
  await db.exec('create table raw_json (data jsonb, _file text, _record_no integer, _loaded_at timestamptz, _repaired boolean)');
});

afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function* chunks(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text, 'utf8');
}

const NDJSON = [
  '{"plain":"a\\tb\\nc\\\\d","tab":"raw\ttab"}', // a raw tab in a string is invalid JSON: repaired
  '{"big":12345678901234567890,"dec":1.10,"neg":-0,"exp":1e400}',
  '{"unicode":"é😀\\u00e9\\ud83d\\ude00","escaped":"\\\\u0000"}',
  "{a:1, 'b':'it\\'s', c:None, d:NaN, e:[1 2], // note",
  '{"cut":{"x":[1,2',
  '{"nul":"\\u0000"}',
  '{"lone":"\\udead"}',
  '[1,2]',
  '}{',
].join('\r\n');

describe('records load into jsonb through COPY text format', () => {
  it('accepts every record, keeps numbers exactly, and PostgreSQL agrees about the rejects', async () => {
    const items: JsonItem[] = [];
    for await (const item of readJsonRecords(chunks(NDJSON), 'ndjson')) items.push(item);
    const records = items.filter((item) => item.kind === 'record');
    const rejects = items.filter((item) => item.kind === 'reject');
    expect(records.map((r) => r.recordNo)).toEqual([1, 2, 3, 4, 5]);
    expect(rejects.map((r) => r.recordNo)).toEqual([6, 7, 8, 9]);

    const file = 'seeds/we\tird\\name\n.ndjson';
    const copy = records.map((r) => copyRow([r.json, file, String(r.recordNo), '2024-01-02T03:04:05Z', r.repaired ? 't' : 'f'])).join('');
    await db.query('copy raw_json from \'/dev/blob\'', [], { blob: new Blob([copy]) });

    const rows = (
      await db.query<{ data: string; _file: string; _record_no: number; _repaired: boolean }>(
        'select data::text as data, _file, _record_no, _repaired from raw_json order by _record_no',
      )
    ).rows;
    expect(rows.map((row) => row._file)).toEqual(records.map(() => file));
    expect(rows.map((row) => row._repaired)).toEqual([true, false, false, true, true]);
    expect(rows.map((row) => JSON.parse(row.data) as unknown)).toEqual([
      { plain: 'a\tb\nc\\d', tab: 'raw\ttab' },
      { big: Number('12345678901234567890'), dec: 1.1, neg: 0, exp: Infinity },
      { unicode: 'é😀é😀', escaped: '\\u0000' },
      { a: 1, b: "it's", c: null, d: 'NaN', e: [1, 2] },
      { cut: { x: [1, 2] } },
    ]);
    const exact = await db.query<{ big: string; dec: string }>("select data->>'big' as big, data->>'dec' as dec from raw_json where _record_no = 2");
    expect(exact.rows[0]).toEqual({ big: '12345678901234567890', dec: '1.10' });

    // The jsonb rejects are real: PostgreSQL refuses them too.
    const jsonbRejects = rejects.flatMap((r) => (r.kind === 'reject' && /jsonb/.test(r.error) ? [r.rawText] : []));
    expect(jsonbRejects).toEqual(['{"nul":"\\u0000"}', '{"lone":"\\udead"}']);
    for (const rawText of jsonbRejects) await expect(db.query('select $1::jsonb', [rawText])).rejects.toThrow(/invalid input syntax for type json|unicode/i);
  });
});
