import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject } from '../helpers/project.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

interface LoggedStatement {
  session: string;
  outcome: string;
  sql: string;
}

/** The statements of a --log-sql file: each entry's header (`-- <time> c<n> <ms> ms[, outcome]`) and SQL text. */
function statementsIn(file: string): LoggedStatement[] {
  const entries = readFileSync(file, 'utf8').split(/^(?=-- \d{4}-\d\d-\d\dT)/m);
  return entries.flatMap((entry) => {
    const header = /^-- \S+ (c\d+) \d+\.\d ms(.*)\n/.exec(entry);
    return header ? [{ session: header[1]!, outcome: header[2]!, sql: entry.slice(header[0].length).trim() }] : [];
  });
}

const seedValue = 'zebedee-in-the-seed';

describeBackends('--log-sql', (backend) => {
  const saved = process.env.TSDBT_LOG_SQL;
  afterEach(() => {
    if (saved === undefined) delete process.env.TSDBT_LOG_SQL;
    else process.env.TSDBT_LOG_SQL = saved;
  });

  it("appends every statement of seed, run and show: COPY without its rows, the model's create table as, the catalog and writer lock", async () => {
    const project = makeProject(
      {
        'seeds/people.csv': `id,name\n1,${seedValue}\n2,ann\n`,
        'models/people_table.sql': '{{config materialized="table"}}\nselect id, name from {{ref "people"}}',
        'models/people_view.sql': 'select id from {{ref "people_table"}}',
        'models/people_read.ts': [
          "export const config = { materialized: 'table', column_types: { id: 'bigint' } };",
          'export default async function* ({ read, ref }: any) {',
          "  for await (const row of read(ref('people'), { batchSize: 1 })) yield { id: row.id };",
          '}',
        ].join('\n'),
      },
      backend,
    );
    const file = join(temporaryDir('tsdbt-log-sql-'), 'sql.log');
    const seed = await project.run('seed', '--log-sql', file);
    expect(seed.stderr).toBe('');
    expect(seed.code).toBe(0);
    const seeded = statementsIn(file);
    expect(seeded.find((s) => /^copy "analytics"\."people__tsdbt_tmp_\w+" \("id", "name"\) from stdin with \(/.test(s.sql))?.outcome).toBe(', 2 rows');
    expect(readFileSync(file, 'utf8')).not.toContain(seedValue);

    const run = await project.run('run', '--log-sql', file);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Appended: the seed's statements are still there, before the run's.
    expect(statementsIn(file).slice(0, seeded.length)).toEqual(seeded);
    const ran = statementsIn(file).slice(seeded.length);
    const createTableAs = ran.filter((s) => /^create table "analytics"\."people_table__tsdbt_tmp_\w+" as \(\s*select id, name from "analytics"\."people"\s*\)$/.test(s.sql));
    expect(createTableAs).toHaveLength(1);
    expect(createTableAs[0]!.outcome).toBe(', 2 rows');
    expect(ran.some((s) => s.sql.startsWith('create or replace view "analytics"."people_view" as'))).toBe(true);
    // The catalog, read through the logged connections.
    expect(ran.some((s) => s.sql.includes('"pg_catalog"."pg_class"'))).toBe(true);
    // Every transaction's statements, BEGIN and COMMIT included, on the session that ran them.
    const begins = ran.filter((s) => s.sql === 'begin' || s.sql.startsWith('start transaction'));
    expect(begins.length).toBeGreaterThan(0);
    expect(ran.filter((s) => s.sql === 'commit').length).toBe(begins.length);
    // The TypeScript model's read(): a cursor fetched as arrays.
    const fetches = ran.filter((s) => /^fetch 1 from "tsdbt_read_\d+"$/.test(s.sql));
    expect(fetches.length).toBeGreaterThanOrEqual(2);
    const builds = ran.find((s) => s.sql.includes('"people_table__tsdbt_tmp_'))!.session;
    if (backend.serverUrl) {
      // The writer lock, on a dedicated session of its own; read() streams on another dedicated one.
      const locks = ran.filter((s) => s.sql.startsWith('select pg_try_advisory_lock('));
      expect(locks.length).toBeGreaterThan(0);
      expect(ran.some((s) => s.sql.startsWith('select pg_advisory_unlock(') && s.session === locks[0]!.session)).toBe(true);
      expect(locks[0]!.session).not.toBe(builds);
      expect(fetches[0]!.session).not.toBe(builds);
    } else {
      // One embedded session, which its data directory's lock file already keeps to one writer.
      expect(new Set(ran.map((s) => s.session))).toEqual(new Set(['c1']));
    }

    // queryText, through the environment variable.
    process.env.TSDBT_LOG_SQL = file;
    const shown = await project.run('show', '--inline', "select 'shown' as what");
    expect(shown.code).toBe(0);
    expect(statementsIn(file).at(-1)).toMatchObject({ sql: "select * from (\nselect 'shown' as what\n) as tsdbt_show limit 5", outcome: ', 1 row' });
  });

  it('logs no create table for a second run of views, and says how a statement failed', async () => {
    const project = makeProject({ 'models/a.sql': 'select 1 as id', 'models/b.sql': 'select id from {{ref "a"}}' }, backend);
    expect((await project.run('run')).code).toBe(0);
    const file = join(temporaryDir('tsdbt-log-sql-'), 'sql.log');
    const second = await project.run('run', '--log-sql', file);
    expect(second.code).toBe(0);
    const statements = statementsIn(file);
    expect(statements.filter((s) => /^create or replace view/.test(s.sql)).map((s) => s.sql.split(' as\n')[0])).toEqual([
      'create or replace view "analytics"."a"',
      'create or replace view "analytics"."b"',
    ]);
    expect(statements.filter((s) => /create\s+table/i.test(s.sql))).toEqual([]);

    project.write('models/b.sql', 'select missing_column from {{ref "a"}}');
    expect((await project.run('run', '--log-sql', file, '-s', 'b')).code).toBe(1);
    expect(statementsIn(file).find((s) => s.sql.includes('missing_column'))?.outcome).toMatch(/^, failed \(42703\): column "missing_column" does not exist$/);
  });

  it('tsdbt debug says where the statement log goes', async () => {
    const project = makeProject({}, backend);
    const file = join(temporaryDir('tsdbt-log-sql-'), 'debug.log');
    const debug = await project.run('debug', '--log-sql', file);
    expect(debug.code).toBe(0);
    expect(debug.stdout).toContain(`statement log: ${file}`);
    expect(statementsIn(file).map((s) => s.sql)).toContain('select 1');
  });
});
