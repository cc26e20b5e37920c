import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, spawnCli, type TestProject } from '../helpers/project.js';
import { describeBackends } from '../helpers/suite.js';

function results(project: TestProject): Record<string, { status: string; message: string; rows_affected: number | null }> {
  const parsed = JSON.parse(readFileSync(join(project.dir, 'target/run_results.json'), 'utf8')) as {
    results: Array<{ unique_id: string; status: string; message: string; rows_affected: number | null }>;
  };
  return Object.fromEntries(parsed.results.map((r) => [r.unique_id.split('.')[2]!, r]));
}

const columnTypes = (schema: string, table: string) =>
  `select column_name as name, data_type as type from information_schema.columns where table_schema = '${schema}' and table_name = '${table}' order by ordinal_position`;

describeBackends('tsdbt seed: CSV', (backend) => {
  it('infers column types, loads with COPY, and models ref the seed; build loads seeds first', async () => {
    const project = makeProject(
      {
        'seeds/people.csv': [
          'id,big,amount,active,born,seen_at,seen_tz,name,empty',
          '1,3000000000,1.5,true,2024-02-29,2024-03-01 10:00:00,2024-03-01T10:00:00Z,"Ada, Countess",',
          '2,-5,2,FALSE,2023-12-31,2024-03-01T11:30,2024-03-01 12:00:00+02:00,"say ""hi""",',
          '3,7,-0.25,false,2000-01-01,2024-03-02 00:00:00.123,2024-03-02T00:00:00-05:30,,',
        ].join('\n'),
        'models/adults.sql': 'select id, name from {{ref "people"}} where active',
      },
      backend,
    );
    const result = await project.run('build');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 of 2 OK seed csv file "analytics"\."people"/);
    expect(await project.query(columnTypes('analytics', 'people'))).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'big', type: 'bigint' },
      { name: 'amount', type: 'numeric' },
      { name: 'active', type: 'boolean' },
      { name: 'born', type: 'date' },
      { name: 'seen_at', type: 'timestamp without time zone' },
      { name: 'seen_tz', type: 'timestamp with time zone' },
      { name: 'name', type: 'text' },
      { name: 'empty', type: 'text' },
    ]);
    expect(await project.query('select id, name, empty from analytics.people order by id')).toEqual([
      { id: 1, name: 'Ada, Countess', empty: null },
      { id: 2, name: 'say "hi"', empty: null },
      { id: 3, name: null, empty: null },
    ]);
    expect(await project.query('select id from analytics.adults')).toEqual([{ id: 1 }]);
    expect(results(project).people).toMatchObject({ status: 'success', rows_affected: 3 });

    const again = await project.run('seed');
    expect(again.code).toBe(0);
    expect(results(project).people!.message).toBe('UNCHANGED');
    const forced = await project.run('seed', '--full-refresh');
    expect(results(project).people).toMatchObject({ status: 'success', rows_affected: 3 });
    expect(forced.code).toBe(0);
  });

  it('a single non-integer value at the end of a million-row integer column makes it numeric', async () => {
    const lines = ['id,value'];
    let total = 0;
    for (let i = 1; i < 1_000_000; i++) {
      lines.push(`${i},${i % 1000}`);
      total += i % 1000;
    }
    lines.push('1000000,0.5');
    const project = makeProject({ 'seeds/numbers.csv': `${lines.join('\n')}\n` }, backend);
    const result = await project.run('seed');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await project.query(columnTypes('analytics', 'numbers'))).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'value', type: 'numeric' },
    ]);
    expect(await project.query('select count(*)::int as n, sum(value)::text as total from analytics.numbers')).toEqual([{ n: 1_000_000, total: `${total}.5` }]);
  });

  it('column_types, delimiter, quote and several null markers are configurable', async () => {
    const project = makeProject(
      {
        'seeds/odd.csv': "code;label;score\n007;'a;b';NA\n010;plain;\n",
        'seeds/seeds.yml': "version: 2\nseeds:\n  - name: odd\n    config:\n      delimiter: ';'\n      quote: \"'\"\n      null_values: ['NA', '']\n      column_types: {code: text}\n",
      },
      backend,
    );
    const result = await project.run('seed');
    expect(result.stderr).toBe('');
    expect(await project.query('select code, label, score from analytics.odd order by code')).toEqual([
      { code: '007', label: 'a;b', score: null },
      { code: '010', label: 'plain', score: null },
    ]);
  });

  it.each([
    ['a ragged row', 'id,name\n1,a\n2,b,extra\n3,c\n', /seeds\/broken\.csv:3/],
    ['an unterminated quote', 'id,name\n1,a\n2,"b\n3,c\n', /seeds\/broken\.csv:3/],
  ])('%s fails with file and line, and leaves the previous table intact', async (_what, broken, where) => {
    const project = makeProject({ 'seeds/broken.csv': 'id,name\n1,first\n' }, backend);
    expect((await project.run('seed')).code).toBe(0);
    project.write('seeds/broken.csv', broken);
    const result = await project.run('seed');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(where);
    expect(await project.query('select id, name from analytics.broken')).toEqual([{ id: 1, name: 'first' }]);
  });

  it('a column_types override the data does not fit fails with the database\'s own message', async () => {
    const project = makeProject(
      { 'seeds/typed.csv': 'id,name\n1,a\nx,b\n', 'seeds/seeds.yml': 'version: 2\nseeds:\n  - name: typed\n    config:\n      column_types: {id: integer}\n' },
      backend,
    );
    const result = await project.run('seed');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid input syntax for type integer');
  });

  it('invalid UTF-8 fails with file and line', async () => {
    const project = makeProject({}, backend);
    mkdirSync(join(project.dir, 'seeds'));
    writeFileSync(join(project.dir, 'seeds/bad.csv'), Buffer.concat([Buffer.from('id,name\n1,ok\n2,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    const result = await project.run('seed');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/seeds\/bad\.csv:3/);
  });
});

const broken = {
  'ok.json': '{"user_id": "u1", "n": 1}',
  'truncated.json': '{"user_id": "u2", "tags": ["a", "b"',
  'trailing.json': '{"user_id": "u3", "n": 3,}',
  'single.json': "{'user_id': 'u4'}",
  'unquoted.json': '{user_id: "u5"}',
  'nan.json': '{"user_id": "u6", "score": NaN, "max": Infinity}',
  'comments.json': '{"user_id": "u7" /* note */, // more\n "n": 7}',
  'array.json': '[{"user_id": "u8"}, {"user_id": "u9"}, 42]',
  'scalar.json': '"just a string"',
};

describeBackends('tsdbt seed: JSON and NDJSON', (backend) => {
  it('repairs broken documents, flags them, and rejects what is not an object, with reasons and exact counts', async () => {
    const files = Object.fromEntries(Object.entries(broken).map(([name, text]) => [`seeds/docs/${name}`, text]));
    const project = makeProject(
      {
        ...files,
        'seeds/docs.yml': "version: 2\nseeds:\n  - name: docs\n    config:\n      glob: 'docs/*.json'\n",
        'seeds/events.ndjson': '{"e": 1}\n\n{"e": 2,}\n[1, 2]\n{"e": "\\u0000"}\nnot json at all {{{\n{"e": 3}\n}{',
      },
      backend,
    );
    const result = await project.run('seed');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = await project.query<{ user_id: string; repaired: boolean; file: string }>(
      "select data->>'user_id' as user_id, _repaired as repaired, _file as file from analytics.docs order by 1",
    );
    expect(rows.map((r) => r.user_id)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9']);
    expect(rows.filter((r) => r.repaired).map((r) => r.user_id)).toEqual(['u2', 'u3', 'u4', 'u5', 'u6', 'u7']);
    expect(await project.query("select data->'score' as score from analytics.docs where data->>'user_id' = 'u6'")).toEqual([{ score: 'NaN' }]);
    const rejects = await project.query<{ file: string; record_no: number; error: string }>('select _file as file, _record_no as record_no, error from analytics.docs__rejects order by 1, 2');
    expect(rejects.map((r) => [r.file, r.record_no])).toEqual([
      ['seeds/docs/array.json', 3],
      ['seeds/docs/scalar.json', 1],
    ]);
    expect(rejects.every((r) => r.error.includes('not a JSON object'))).toBe(true);
    expect(results(project).docs!.message).toBe('INSERT 9 (9 files loaded, 2 rejected into docs__rejects)');

    const events = await project.query<{ e: string; record_no: number }>("select data->>'e' as e, _record_no as record_no from analytics.events order by _record_no");
    expect(events).toEqual([
      { e: '1', record_no: 1 },
      { e: '2', record_no: 3 },
      { e: '3', record_no: 7 },
    ]);
    const eventRejects = await project.query<{ record_no: number; raw_text: string; error: string }>('select _record_no as record_no, raw_text, error from analytics.events__rejects order by 1');
    expect(eventRejects.map((r) => r.record_no)).toEqual([4, 5, 6, 8]);
    expect(eventRejects[0]!.error).toContain('not a JSON object');
    expect(eventRejects[1]!.error).toContain('\\u0000');
    expect(eventRejects[3]).toMatchObject({ raw_text: '}{', error: expect.stringContaining('cannot repair') });
    const state = await project.query<{ records: number; rejects: number }>("select records, rejects from tsdbt_meta.seed_files where path = 'seeds/events.ndjson'");
    expect(state).toEqual([{ records: 3, rejects: 4 }]);
  });

  it('loads only new and changed files of a sink folder, replacing a changed file\'s rows, never duplicating', async () => {
    const files: Record<string, string> = {
      'seeds/sink.yml': "version: 2\nseeds:\n  - name: pins\n    config:\n      glob: 'pinterest/topics/*.pin/partition=*/*.json'\n      schema: raw\n",
    };
    for (let offset = 0; offset < 1500; offset++) {
      const partition = offset % 3;
      files[`seeds/pinterest/topics/abc.pin/partition=${partition}/abc.pin+${partition}+${String(offset).padStart(10, '0')}.json`] = JSON.stringify({ index: offset, title: `pin ${offset}` });
    }
    const project = makeProject(files, backend);
    const first = await project.run('seed', '--log-format', 'json');
    expect(first.stderr).toBe('');
    expect(results(project).pins!.message).toBe('INSERT 1500 (1500 files loaded, 0 rejected)');
    const progress = first.stdout.split('\n').map((line) => JSON.parse(line) as { event: string; files?: number; records?: number });
    expect(progress.find((e) => e.event === 'load_progress')).toMatchObject({ files: expect.any(Number), records: expect.any(Number) });

    project.write('seeds/pinterest/topics/abc.pin/partition=1/abc.pin+1+0000009999.json', '{"index": 9999, "title": "new"}');
    project.write('seeds/pinterest/topics/abc.pin/partition=0/abc.pin+0+0000000000.json', '[{"index": 0, "title": "edited"}, {"index": 0.5, "title": "added"}]');
    const second = await project.run('seed');
    expect(second.code).toBe(0);
    expect(results(project).pins!.message).toBe('INSERT 3 (2 files loaded, 1499 unchanged, 0 rejected)');
    expect(await project.query('select count(*)::int as n, count(distinct _file)::int as files from analytics_raw.pins')).toEqual([{ n: 1502, files: 1501 }]);
    expect(await project.query("select data->>'title' as title from analytics_raw.pins where _file like '%+0000000000.json' order by _record_no")).toEqual([{ title: 'edited' }, { title: 'added' }]);

    const third = await project.run('seed');
    expect(results(project).pins!.message).toBe('INSERT 0 (0 files loaded, 1501 unchanged, 0 rejected)');
    expect(third.code).toBe(0);
  });

  it('reloads a JSON seed whose table was dropped behind its back, and --full-refresh keeps the views that read it', async () => {
    const project = makeProject(
      {
        'seeds/events.ndjson': '{"e": 1}\n{"e": 2}\n',
        'models/event_count.sql': 'select count(*) as n from {{ref "events"}}',
      },
      backend,
    );
    expect((await project.run('build')).code).toBe(0);
    await project.query('drop table analytics.events cascade');
    expect((await project.run('seed')).code).toBe(0);
    expect(await project.query('select count(*)::int as n from analytics.events')).toEqual([{ n: 2 }]);
    expect((await project.run('build')).code).toBe(0);
    project.write('seeds/events.ndjson', '{"e": 1}\n{"e": 2}\n{"e": 3}\n');
    const refreshed = await project.run('seed', '--full-refresh');
    expect(refreshed.stderr).toBe('');
    expect(await project.query('select n::int as n from analytics.event_count')).toEqual([{ n: 3 }]);
  });

  it('a run killed mid-load and run again neither duplicates nor loses a record', async () => {
    const files: Record<string, string> = { 'seeds/sink.yml': "version: 2\nseeds:\n  - name: clicks\n    config:\n      glob: 'clicks/*.ndjson'\n" };
    for (let f = 0; f < 40; f++) {
      const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ f, i, pad: 'x'.repeat(200) }));
      files[`seeds/clicks/part-${String(f).padStart(3, '0')}.ndjson`] = `${lines.join('\n')}\n`;
    }
    const project = makeProject(files, backend);
    let killed = false;
    const interrupted = await spawnCli(['seed', '--project-dir', project.dir, '--profiles-dir', project.dir], {
      killAfterMs: 1500,
      onKill: () => (killed = true),
    });
    expect(killed || interrupted.code === 0, interrupted.stderr).toBe(true);
    const rerun = await project.run('seed');
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(await project.query('select count(*)::int as n, count(distinct (_file, _record_no))::int as distinct_rows from analytics.clicks')).toEqual([{ n: 100_000, distinct_rows: 100_000 }]);
  });
});

describe('seed configuration errors', () => {
  it('a property file describing a seed that does not exist is an error with a hint', async () => {
    const project = makeProject({ 'seeds/people.csv': 'id\n1\n', 'seeds/seeds.yml': 'version: 2\nseeds:\n  - name: peple\n' });
    const result = await project.run('ls');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("seed 'peple' is described in seeds/seeds.yml but there is no such seed file");
    expect(result.stderr).toContain("did you mean 'people'?");
  });
});
