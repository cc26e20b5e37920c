import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { runLoaderTrials } from '../../chaos/loader-fuzz.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

/*
 * Each corruption the loader fuzz (chaos/loader-fuzz.ts) injects, on fixed inputs: what is loaded, rejected or refused,
 * exactly. The contracts: a JSON or NDJSON record is a row or a reject, never lost; a CSV file is loaded whole or
 * refused whole with its file and line, the previous table left as it was.
 */

const HUGE = 'huge é € 😀 '.repeat(200_000); // 3.2 MB, far above the loaders' 1 MiB read chunks
/** PostgreSQL's length() counts characters; the emoji is two UTF-16 units of HUGE.length. */
const HUGE_CHARACTERS = [...HUGE].length;
const FOLDER_SEED = "version: 2\nseeds:\n  - name: docs\n    config:\n      glob: 'docs/*.json'\n";

interface Accounting {
  rows: Array<{ file: string; record_no: number; repaired: boolean }>;
  rejects: Array<{ file: string; record_no: number; raw_text: string; error: string }>;
  state: Array<{ path: string; records: number; rejects: number }>;
}

/** Damaged inputs are bytes (TestProject.write takes text). */
function writeBytes(project: TestProject, path: string, content: Buffer | string): void {
  mkdirSync(dirname(join(project.dir, path)), { recursive: true });
  writeFileSync(join(project.dir, path), content);
}

async function accounting(project: TestProject, table: string): Promise<Accounting> {
  return {
    rows: await project.query(`select _file as file, _record_no as record_no, _repaired as repaired from analytics.${table} order by 1, 2`),
    rejects: await project.query(`select _file as file, _record_no as record_no, raw_text, error from analytics.${table}__rejects order by 1, 2`),
    state: await project.query('select path, records, rejects from tsdbt_meta.seed_files order by 1'),
  };
}

describeBackends('loader faults: NDJSON', (backend) => {
  async function load(content: Buffer | string) {
    const project = makeProject({}, backend);
    writeBytes(project, 'seeds/events.ndjson', content);
    const result = await project.run('seed');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return accounting(project, 'events');
  }

  it('truncation: the cut last line is repaired', async () => {
    const { rows, rejects, state } = await load('{"id":1}\n{"id":2}\n{"id":3,"na');
    expect(rows.map((r) => [r.record_no, r.repaired])).toEqual([[1, false], [2, false], [3, true]]);
    expect(rejects).toEqual([]);
    expect(state).toEqual([{ path: 'seeds/events.ndjson', records: 3, rejects: 0 }]);
  });

  it('a byte flip that makes a line an array: that line is rejected, the others load', async () => {
    const { rows, rejects, state } = await load('{"id":1}\n["id":2}\n{"id":3}\n');
    expect(rows.map((r) => r.record_no)).toEqual([1, 3]);
    expect(rejects.map((r) => [r.record_no, r.raw_text, r.error])).toEqual([[2, '["id":2}', 'not a JSON object (got array after repair)']]);
    expect(state).toEqual([{ path: 'seeds/events.ndjson', records: 2, rejects: 1 }]);
  });

  it('huge lines: a well-formed one loads whole, a garbage one is rejected whole', async () => {
    const { rows, rejects, state } = await load(`{"id":1}\n${JSON.stringify({ huge: HUGE })}\n${HUGE}\n{"id":4}\n`);
    expect(rows.map((r) => r.record_no)).toEqual([1, 2, 4]);
    expect(rejects.map((r) => [r.record_no, r.raw_text.length, r.error])).toEqual([[3, HUGE.length, 'not a JSON object (got string after repair)']]);
    expect(state).toEqual([{ path: 'seeds/events.ndjson', records: 3, rejects: 1 }]);
  });

  it('invalid UTF-8: the line loads with U+FFFD in place of the bad bytes, flagged repaired', async () => {
    const project = makeProject({}, backend);
    writeBytes(project, 'seeds/events.ndjson', Buffer.concat([Buffer.from('{"id":1,"name":"caf'), Buffer.from([0xff, 0xc0, 0xaf]), Buffer.from('"}\n{"id":2}\n')]));
    expect((await project.run('seed')).code).toBe(0);
    expect(await project.query("select _record_no as record_no, data->>'name' as name, _repaired as repaired from analytics.events order by 1")).toEqual([
      { record_no: 1, name: 'caf\ufffd\ufffd\ufffd', repaired: true },
      { record_no: 2, name: null, repaired: false },
    ]);
  });

  it('a BOM and CRLF line endings are not part of the records; a CRLF blank line is no record', async () => {
    const { rows, rejects, state } = await load('\ufeff{"id":1}\r\n\r\n{"id":2}\r\n');
    expect(rows.map((r) => [r.record_no, r.repaired])).toEqual([[1, false], [3, false]]);
    expect(rejects).toEqual([]);
    expect(state).toEqual([{ path: 'seeds/events.ndjson', records: 2, rejects: 0 }]);
  });

  it('a NUL byte: the line is rejected with U+FFFD in its raw text (PostgreSQL text cannot hold NUL), the rest loads', async () => {
    const { rows, rejects, state } = await load('{"id":1}\n{"id":\u00002}\n{"id":3}\n');
    expect(rows.map((r) => r.record_no)).toEqual([1, 3]);
    expect(rejects.map((r) => [r.record_no, r.raw_text])).toEqual([[2, '{"id":\ufffd2}']]);
    expect(state).toEqual([{ path: 'seeds/events.ndjson', records: 2, rejects: 1 }]);
  });

  it('a line of a form feed or a vertical tab is a record (rejected), not a blank line dropped unseen', async () => {
    const { rows, rejects, state } = await load('{"id":1}\n\f\n \t\n\v\n');
    expect(rows.map((r) => r.record_no)).toEqual([1]);
    expect(rejects.map((r) => r.record_no)).toEqual([2, 4]);
    expect(state).toEqual([{ path: 'seeds/events.ndjson', records: 1, rejects: 2 }]);
  });
});

describeBackends('loader faults: JSON folder of one-object files', (backend) => {
  /** a.json intact, b.json as given. */
  async function load(damaged: Buffer | string) {
    const project = makeProject({ 'seeds/docs.yml': FOLDER_SEED, 'seeds/docs/a.json': '{"id": 1, "name": "a"}' }, backend);
    writeBytes(project, 'seeds/docs/b.json', damaged);
    const result = await project.run('seed');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return accounting(project, 'docs');
  }
  const row = (file: string, record_no: number, repaired: boolean) => ({ file: `seeds/docs/${file}.json`, record_no, repaired });

  it('truncation: the cut document is repaired', async () => {
    const { rows, rejects, state } = await load('{"id": 2, "name": "tr');
    expect(rows).toEqual([row('a', 1, false), row('b', 1, true)]);
    expect(rejects).toEqual([]);
    expect(state.map((s) => [s.records, s.rejects])).toEqual([[1, 0], [1, 0]]);
  });

  it('a byte flip that makes the document a string: rejected whole, with why', async () => {
    const { rows, rejects, state } = await load('"id": 2, "name": "b"}');
    expect(rows).toEqual([row('a', 1, false)]);
    expect(rejects.map((r) => [r.file, r.record_no, r.error])).toEqual([['seeds/docs/b.json', 1, expect.stringMatching(/^not a JSON object|^invalid JSON/)]]);
    expect(state.map((s) => [s.records, s.rejects])).toEqual([[1, 0], [0, 1]]);
  });

  it('a huge line before the document: the file reads as NDJSON saved as .json, the garbage rejected, the object loaded', async () => {
    const { rows, rejects, state } = await load(`${HUGE}\n{"id": 2}`);
    expect(rows).toEqual([row('a', 1, false), row('b', 2, true)]);
    expect(rejects.map((r) => [r.record_no, r.raw_text.length])).toEqual([[1, expect.any(Number)]]);
    expect(state.map((s) => [s.records, s.rejects])).toEqual([[1, 0], [1, 1]]);
  });

  it('a huge value loads whole', async () => {
    const project = makeProject({ 'seeds/docs.yml': FOLDER_SEED, 'seeds/docs/b.json': JSON.stringify({ huge: HUGE }) }, backend);
    expect((await project.run('seed')).code).toBe(0);
    expect(await project.query("select length(data->>'huge') as n from analytics.docs")).toEqual([{ n: HUGE_CHARACTERS }]);
  });

  it('invalid UTF-8: loaded with U+FFFD, flagged repaired', async () => {
    const { rows, rejects } = await load(Buffer.concat([Buffer.from('{"id": 2, "name": "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]));
    expect(rows).toEqual([row('a', 1, false), row('b', 1, true)]);
    expect(rejects).toEqual([]);
  });

  it('a BOM and CRLF line endings change nothing', async () => {
    const { rows, rejects } = await load('\ufeff{\r\n  "id": 2,\r\n  "name": "b"\r\n}\r\n');
    expect(rows).toEqual([row('a', 1, false), row('b', 1, false)]);
    expect(rejects).toEqual([]);
  });

  it('a NUL byte: every record is accounted for, and the COPY of rejects does not fail on it', async () => {
    const { rows, rejects, state } = await load('{"id": 2,\u0000 "name": "b"}');
    expect(rows.length + rejects.length).toBe(2);
    expect(rejects.every((r) => !r.raw_text.includes('\u0000'))).toBe(true);
    expect(state.map((s) => s.records + s.rejects)).toEqual([1, 1]);
  });
});

describeBackends('loader faults: CSV', (backend) => {
  /** Loads a good people.csv, then `damaged` in its place. */
  async function reload(damaged: Buffer | string) {
    const project = makeProject({ 'seeds/people.csv': 'id,name\n1,first\n' }, backend);
    expect((await project.run('seed')).code).toBe(0);
    writeBytes(project, 'seeds/people.csv', damaged);
    return { project, result: await project.run('seed') };
  }

  it.each([
    ['truncation inside a quoted field', 'id,name\n1,a\n2,"b', /seeds\/people\.csv:3: unterminated quoted field/],
    ['truncation inside a row', 'id,name\n1,a\n2', /seeds\/people\.csv:3: row has 1 fields, the header has 2/],
    ['a byte flip of a delimiter', 'id,name\n1,a\n2;b\n', /seeds\/people\.csv:3: row has 1 fields, the header has 2/],
    ['a byte flip to a quote', 'id,name\n1,a"\n', /seeds\/people\.csv:2: a quote character inside an unquoted field/],
    ['a huge garbage line', `id,name\n${HUGE}\n1,a\n`, /seeds\/people\.csv:2: row has 1 fields, the header has 2/],
    ['invalid UTF-8', Buffer.concat([Buffer.from('id,name\n1,a\n2,caf'), Buffer.from([0xff]), Buffer.from('\n')]), /seeds\/people\.csv:3: invalid UTF-8 \(byte 0xFF\)/],
    ['a BOM in the middle of the file', Buffer.concat([Buffer.from('id,name\n1,a\n'), Buffer.from([0xef, 0xbb]), Buffer.from('\n')]), /seeds\/people\.csv:3: invalid UTF-8/],
    ['CRLF after LF', 'id,name\n1,a\r\n', /seeds\/people\.csv:2: line ends with CRLF, but earlier lines end with LF/],
    ['a NUL byte', 'id,name\n1,a\u0000\n', /seeds\/people\.csv:2: NUL byte \(0x00\) in the data/],
  ])('%s: refused with file and line, the previous table intact', async (_what, damaged, message) => {
    const { project, result } = await reload(damaged);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(await project.query('select id, name from analytics.people')).toEqual([{ id: 1, name: 'first' }]);
  });

  it('a huge well-formed row loads whole', async () => {
    const { project, result } = await reload(`id,name\n1,"${HUGE}"\n2,b\n`);
    expect(result.code).toBe(0);
    expect(await project.query('select id, length(name) as n from analytics.people order by id')).toEqual([{ id: 1, n: HUGE_CHARACTERS }, { id: 2, n: 1 }]);
  });

  it('a BOM and CRLF line endings throughout load as if absent', async () => {
    const { project, result } = await reload('\ufeffid,name\r\n1,"two\r\nlines"\r\n2,b\r\n');
    expect(result.code).toBe(0);
    expect(await project.query('select id, name from analytics.people order by id')).toEqual([{ id: 1, name: 'two\r\nlines' }, { id: 2, name: 'b' }]);
  });

  it('a BOM before a headerless file is not part of the first value', async () => {
    const project = makeProject({ 'seeds/people.csv': '\ufeff1,a\n2,b\n', 'seeds/people.yml': 'version: 2\nseeds:\n  - name: people\n    config:\n      header: false\n' }, backend);
    const result = await project.run('seed');
    expect(result.stderr).toBe('');
    expect(await project.query('select column_1, column_2 from analytics.people order by 1')).toEqual([{ column_1: 1, column_2: 'a' }, { column_1: 2, column_2: 'b' }]);
  });
});

describeBackends('loader fuzz', (backend) => {
  it('seeded trials of damaged CSV, JSON and NDJSON: nothing crashes, no mismatch, no record lost', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'tsdbt-loader-fuzz-'));
    // PGlite opens an embedded database twice a trial (seconds each): fewer trials there; npm run chaos runs many more.
    const trials = backend.serverUrl ? 6 : 3;
    const server = backend.serverUrl ? { backend: 'postgres' as const, pgUrl: backend.serverUrl } : { backend: 'pglite' as const };
    const result = await runLoaderTrials({ seed: 1, trials, ...server, workDir }).finally(() => rmSync(workDir, { recursive: true, force: true }));
    expect(result.details).toEqual([]);
    expect(result).toMatchObject({ trials, mismatches: 0, recordsLost: 0 });
    expect(result.faults).toBeGreaterThanOrEqual(trials);
  });
});
