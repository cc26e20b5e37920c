import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';

/** The table `tsdbt show --inline sql` prints: its last lines, from the header to the row count. */
async function shown(project: TestProject, sql: string): Promise<string[]> {
  const result = await project.run('show', '--inline', sql);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const lines = result.stdout.split('\n');
  return lines.slice(lines.findIndex((line) => line.startsWith('| ')));
}

describeBackends('tsdbt show', (backend) => {
  it('reads rows by position: columns of one name each show their own value', async () => {
    const project = makeProject({}, backend);
    expect(await shown(project, 'select 1 as a, 2 as a')).toEqual(['| a | a |', '| - | - |', '| 1 | 2 |', '(1 row)']);
    expect(await shown(project, "select pg_typeof(1), pg_typeof('x'::text), 3")).toEqual([
      '| pg_typeof | pg_typeof | ?column? |',
      '| --------- | --------- | -------- |',
      '| integer   | text      | 3        |',
      '(1 row)',
    ]);
  });

  it("prints values in PostgreSQL's own text form, and NULL apart from an empty string", async () => {
    const project = makeProject({}, backend);
    // A fixed zone for later sessions, not the server's or PGlite's default: timestamptz prints in it. An embedded
    // database (PGlite) reads its configuration files but not per-database settings; a server is shared, so only this
    // test's database.
    await project.query(
      backend.serverUrl
        ? "do $$ begin execute format('alter database %I set timezone = %L', current_database(), 'Asia/Kolkata'); end $$"
        : "alter system set timezone = 'Asia/Kolkata'",
    );
    const sql = `select
      date '2018-01-01' as day,
      timestamp '2018-01-01 12:34:56.789' as at,
      timestamptz '2018-01-01 12:00:00+00' as at_tz,
      time '08:30' as clock,
      interval '1 day 02:03:04' as span,
      123456789012345678901234567890.123456789012345678901234567890 as precise,
      1e-3::float8 as small,
      true as yes, false as no,
      '{"b": 1, "a": [1, 2]}'::jsonb as doc,
      array[1, 2] as list,
      '\\x0aff'::bytea as bytes,
      null::text as missing, '' as empty, E'two\\nlines' as lines`;
    expect(await shown(project, sql)).toEqual([
      '| day        | at                      | at_tz                     | clock    | span           | precise                                                       | small | yes | no | doc                   | list  | bytes  | missing | empty | lines      |',
      '| ---------- | ----------------------- | ------------------------- | -------- | -------------- | ------------------------------------------------------------- | ----- | --- | -- | --------------------- | ----- | ------ | ------- | ----- | ---------- |',
      '| 2018-01-01 | 2018-01-01 12:34:56.789 | 2018-01-01 17:30:00+05:30 | 08:30:00 | 1 day 02:03:04 | 123456789012345678901234567890.123456789012345678901234567890 | 0.001 | t   | f  | {"a": [1, 2], "b": 1} | {1,2} | \\x0aff | NULL    |       | two\\nlines |',
      '(1 row)',
    ]);
  });
});
