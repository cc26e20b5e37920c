import { describe, expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject } from '../helpers/project.js';

const relationKinds = `
  select c.relname as name, c.relkind::text as kind
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'analytics' and c.relkind in ('r', 'v', 'm')
  order by 1`;

const sources = `version: 2
sources:
  - name: raw
    tables:
      - name: events
`;

describeBackends('TypeScript models', (backend) => {
  describe('returning a Kysely query', () => {
    it('is materialised as a view and as a table, reading a SQL model and a source, with values inlined', async () => {
      const project = makeProject(
        {
          'models/sources.yml': sources,
          'models/orders.sql': "select * from (values (1, 'it''s paid'), (2, 'open'), (3, 'it''s paid')) as t(id, status)",
          'models/paid_events.ts': [
            "import type { Kysely } from 'kysely';",
            "export default ({ db, ref, source }: { db: Kysely<any>; ref(name: string): string; source(s: string, t: string): string }) =>",
            '  db',
            "    .selectFrom(`${ref('orders')} as o`)",
            "    .innerJoin(`${source('raw', 'events')} as e`, 'e.order_id', 'o.id')",
            "    .where('o.status', '=', \"it's paid\")",
            "    .where('e.note', '<>', 'back\\\\slash')",
            "    .groupBy('o.id')",
            "    .select(['o.id', (eb) => eb.fn.countAll().as('events')]);",
          ].join('\n'),
          'models/paid_table.ts': [
            "import { sql } from 'kysely';",
            "export const config = { materialized: 'table', tags: ['ts'] };",
            'export default (context: any) =>',
            "  context.db.selectFrom(context.ref('paid_events')).select(['id', sql<number>`events * ${10}`.as('score'), sql<Date>`${new Date('2024-03-01T00:00:00Z')}::timestamptz`.as('since')]);",
          ].join('\n'),
        },
        backend,
      );
      await project.query('create schema raw');
      await project.query('create table raw.events (id int, order_id int, note text)');
      await project.query("insert into raw.events values (1, 1, 'a'), (2, 1, 'b'), (3, 3, 'c'), (4, 2, 'd'), (5, 3, 'back\\slash')");
      const result = await project.run('run');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/typescript view model .*"analytics"\."paid_events"/);
      expect(result.stdout).toMatch(/typescript table model .*"analytics"\."paid_table".*SELECT 2/);
      expect(await project.query(relationKinds)).toEqual([
        { name: 'orders', kind: 'v' },
        { name: 'paid_events', kind: 'v' },
        { name: 'paid_table', kind: 'r' },
      ]);
      expect(await project.query('select id, events::int as events from analytics.paid_events order by id')).toEqual([
        { id: 1, events: 2 },
        { id: 3, events: 1 },
      ]);
      expect(await project.query("select id, score::int as score, since = '2024-03-01T00:00:00Z' as since_ok from analytics.paid_table order by id")).toEqual([
        { id: 1, score: 20, since_ok: true },
        { id: 3, score: 10, since_ok: true },
      ]);
      const compiled = project.read('target/compiled/test_project/models/paid_events.sql');
      expect(compiled).toContain(`"o"."status" = 'it''s paid'`);
      expect(compiled).toContain(`"e"."note" <> E'back\\\\slash'`);
      expect(compiled).toContain('from "analytics"."orders" as "o"');

      const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { depends_on: { nodes: string[] }; config: { tags: string[] } }> };
      expect(manifest.nodes['model.test_project.paid_events']!.depends_on.nodes.sort()).toEqual(['model.test_project.orders', 'source.test_project.raw.events']);
      expect(manifest.nodes['model.test_project.paid_table']!.config.tags).toEqual(['ts']);
    });
  });

  describe('returning rows', () => {
    it('writes an array of rows with declared types: nulls, dates, JSON, text with tabs, newlines and backslashes', async () => {
      const project = makeProject(
        {
          'models/properties.yml': 'version: 2\nmodels:\n  - name: typed_rows\n    config:\n      materialized: view\n    columns:\n      - name: id\n        data_type: integer\n      - name: label\n        data_type: text\n',
          'models/typed_rows.ts': [
            "export const config = { materialized: 'table', column_types: { day: 'date', at: 'timestamptz', payload: 'jsonb', flag: 'boolean' } };",
            'export default () => [',
            "  { id: 1, label: 'tab\\there\\nnew line \\\\ backslash', day: '2024-01-31', at: new Date('2024-01-31T12:00:00Z'), payload: { a: [1, 'two'], b: null }, flag: true },",
            '  { id: 2, label: null, day: null, at: null, payload: null, flag: false },',
            "  { id: 3, label: '\\\\N', payload: ['x\\ty'] },",
            '];',
          ].join('\n'),
        },
        backend,
      );
      const result = await project.run('run');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/typescript table model .*"analytics"\."typed_rows".*SELECT 3/);
      const rows = await project.query<Record<string, unknown>>(
        "select id, label, day::text as day, to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as at, payload, flag from analytics.typed_rows order by id",
      );
      expect(rows).toEqual([
        { id: 1, label: 'tab\there\nnew line \\ backslash', day: '2024-01-31', at: '2024-01-31 12:00', payload: { a: [1, 'two'], b: null }, flag: true },
        { id: 2, label: null, day: null, at: null, payload: null, flag: false },
        { id: 3, label: '\\N', day: null, at: null, payload: ['x\ty'], flag: null },
      ]);
      const types = await project.query("select column_name as name, data_type as type from information_schema.columns where table_name = 'typed_rows' order by ordinal_position");
      expect(types.map((t) => t.type)).toEqual(['integer', 'text', 'date', 'timestamp with time zone', 'jsonb', 'boolean']);
    });

    it(
      'streams a million rows read with read() into a table, in bounded memory',
      async () => {
        const project = makeProject(
          {
            'models/numbers.sql': "{{config materialized='table'}}\nselect g as n from generate_series(1, 1000000) as g",
            'models/doubled.ts': [
              "import { setFlagsFromString } from 'node:v8';",
              "import { runInNewContext } from 'node:vm';",
              "export const config = { materialized: 'table', column_types: { n: 'bigint', doubled: 'bigint', peak_heap_mb: 'integer' } };",
              // What stays reachable, after a full collection: garbage not yet collected says nothing about bounds.
              "setFlagsFromString('--expose-gc');",
              "const gc = runInNewContext('gc') as () => void;",
              'const heapAfterGc = () => (gc(), process.memoryUsage().heapUsed);',
              'export default async function* ({ read, ref }: any) {',
              '  const base = heapAfterGc();',
              '  let peak = 0;',
              '  let seen = 0;',
              "  for await (const row of read(ref('numbers'), { batchSize: 5000 })) {",
              '    if (++seen % 100_000 === 0) peak = Math.max(peak, heapAfterGc() - base);',
              '    yield { n: row.n, doubled: Number(row.n) * 2 };',
              '  }',
              // The peak rides on one extra row, n = 0, after the rest.
              '  yield { n: 0, doubled: 0, peak_heap_mb: Math.round(peak / 1e6) };',
              '}',
            ].join('\n'),
          },
          backend,
        );
        // One thread: on PostgreSQL the build holds the pool's only connection while read() streams on another.
        const result = await project.run('run', '--threads', '1');
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const [summary] = await project.query<{ rows: number; total: string; peak: number }>(
          'select count(*) filter (where n > 0)::int as rows, sum(doubled)::text as total, max(peak_heap_mb) as peak from analytics.doubled',
        );
        expect(summary!.rows).toBe(1_000_000);
        expect(summary!.total).toBe(String(1_000_000 * 1_000_001));
        // Holding the rows read so far would keep at least 100 MB reachable by the end.
        expect(summary!.peak).toBeLessThan(50);
      },
    );
  });

  it('sees isIncremental and var, and builds incrementally', async () => {
    const project = makeProject(
      {
        'models/events.sql': "{{config materialized='table'}}\nselect g as id, g * {{var 'step' 1}} as amount from generate_series(1, {{var 'last' 3}}) as g",
        'models/events_inc.ts': [
          "export const config = { materialized: 'incremental', column_types: { id: 'integer', amount: 'integer', run: 'text' } };",
          'export default async function ({ db, ref, this: self, isIncremental, var: v }: any) {',
          "  let query = db.selectFrom(ref('events')).select(['id', 'amount']);",
          '  if (isIncremental) {',
          "    const [{ last }] = await db.selectFrom(self).select((eb: any) => eb.fn.max('id').as('last')).execute();",
          "    query = query.where('id', '>', last);",
          '  }',
          "  const rows = await query.orderBy('id').execute();",
          "  return rows.map((row: any) => ({ ...row, run: `${v('label', 'first')}:${isIncremental}` }));",
          '}',
        ].join('\n'),
        // The README's example: streams a query whose filter reads the model's own table.
        'models/events_streamed.ts': [
          "export const config = { materialized: 'incremental', column_types: { id: 'bigint', score: 'double precision' } };",
          'export default async function* ({ read, ref, db, this: self, isIncremental }: any) {',
          "  let query = db.selectFrom(ref('events')).select(['id', 'amount']);",
          "  if (isIncremental) query = query.where('id', '>', (eb: any) => eb.selectFrom(self).select((s: any) => s.fn.max('id').as('last')));",
          '  for await (const row of read(query, { batchSize: 2 })) yield { id: row.id, score: row.amount / 2 };',
          '}',
        ].join('\n'),
      },
      backend,
    );
    expect((await project.run('run')).code).toBe(0);
    const second = await project.run('run', '--vars', '{last: 5, label: second}');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/typescript incremental model .*"analytics"\."events_inc"/);
    expect(await project.query('select id, amount, run from analytics.events_inc order by id')).toEqual([
      { id: 1, amount: 1, run: 'first:false' },
      { id: 2, amount: 2, run: 'first:false' },
      { id: 3, amount: 3, run: 'first:false' },
      { id: 4, amount: 4, run: 'second:true' },
      { id: 5, amount: 5, run: 'second:true' },
    ]);
    expect(await project.query('select id::int as id, score from analytics.events_streamed order by id')).toEqual([1, 2, 3, 4, 5].map((id) => ({ id, score: id / 2 })));
    expect(second.stdout).toMatch(/"analytics"\."events_streamed" .*\[INSERT 2 in/);
  });

  it('orders the graph both ways: a SQL model reads a TypeScript model, which reads SQL, and depends_on adds a dynamic ref', async () => {
    const project = makeProject(
      {
        'models/base.sql': 'select 1 as id, 10 as amount union all select 2, 20',
        'models/extra.sql': 'select 3 as id, 30 as amount',
        'models/middle.ts': [
          "export const config = { materialized: 'table', depends_on: ['extra'] };",
          'export default ({ db, ref }: any) => {',
          "  const other = ['ex', 'tra'].join('');",
          "  return db.selectFrom(ref('base')).selectAll().unionAll(db.selectFrom(ref(other)).selectAll());",
          '};',
        ].join('\n'),
        'models/top.sql': "{{config materialized='table'}}\nselect sum(amount) as total from {{ref 'middle'}}",
      },
      backend,
    );
    // Compiling needs no database, so a TypeScript model (whose code may query it) is left to the build.
    const compiled = await project.run('compile');
    expect(compiled.code).toBe(0);
    expect(compiled.stdout).toContain('Compiled 3 nodes');
    const result = await project.run('run', '--threads', '4');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await project.query('select total::int as total from analytics.top')).toEqual([{ total: 60 }]);
    const manifest = JSON.parse(project.read('target/manifest.json')) as { nodes: Record<string, { language: string; depends_on: { nodes: string[] } }> };
    expect(manifest.nodes['model.test_project.middle']!.language).toBe('typescript');
    expect(manifest.nodes['model.test_project.top']!.language).toBe('sql');
    expect(manifest.nodes['model.test_project.middle']!.depends_on.nodes.sort()).toEqual(['model.test_project.base', 'model.test_project.extra']);
    expect(manifest.nodes['model.test_project.top']!.depends_on.nodes).toEqual(['model.test_project.middle']);
  });

  describe('errors', () => {
    it('an unknown ref fails the parse at its file, line and column', async () => {
      const project = makeProject({ 'models/bad_ref.ts': "export default ({ db, ref }: any) =>\n  db.selectFrom(ref('nowhere')).selectAll();\n" }, backend);
      const result = await project.run('run');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("models/bad_ref.ts:2:17: model 'bad_ref' refs 'nowhere', which does not exist");
    });

    it('a TypeScript and a SQL model of the same name are refused', async () => {
      const project = makeProject({ 'models/orders.sql': 'select 1 as id', 'models/staging/orders.ts': 'export default () => [];\n' }, backend);
      const result = await project.run('ls');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("two models are named 'orders': models/orders.sql and models/staging/orders.ts");
    });

    it('a query whose columns share a name fails naming the column, through read() and db alike, instead of losing a value', async () => {
      const project = makeProject(
        {
          'models/customers.sql': "{{config materialized='table'}}\nselect 1 as id, 'ann' as name",
          'models/orders.sql': "{{config materialized='table'}}\nselect 10 as id, 1 as customer_id",
          'models/streamed.ts': [
            "import { sql } from 'kysely';",
            "export const config = { materialized: 'table', column_types: { a: 'integer' } };",
            'export default async function* ({ read }: any) {',
            '  for await (const row of read(sql`select 1 as a, 2 as a`)) yield row;',
            '}',
          ].join('\n'),
          'models/joined.ts': [
            "export const config = { materialized: 'table', column_types: { id: 'integer' } };",
            'export default async ({ db, ref }: any) =>',
            "  db.selectFrom(`${ref('orders')} as o`).innerJoin(`${ref('customers')} as c`, 'c.id', 'o.customer_id').selectAll().execute();",
          ].join('\n'),
          'models/aliased.ts': [
            "export const config = { materialized: 'table', column_types: { order_id: 'integer', customer_id: 'integer' } };",
            'export default async ({ db, ref }: any) =>',
            "  db.selectFrom(`${ref('orders')} as o`).innerJoin(`${ref('customers')} as c`, 'c.id', 'o.customer_id').select(['o.id as order_id', 'c.id as customer_id']).execute();",
          ].join('\n'),
        },
        backend,
      );
      const result = await project.run('run');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('models/streamed.ts:4:20: the query returns more than one column named "a", and a row object keeps one value per name');
      expect(result.stderr).toContain('models/joined.ts: the query returns more than one column named "id", and a row object keeps one value per name');
      expect(result.stderr).toContain('the columns are id, customer_id, id, name');
      expect(await project.query('select * from analytics.aliased')).toEqual([{ order_id: 10, customer_id: 1 }]);
      expect(await project.query("select count(*)::int as n from pg_class where relname in ('streamed', 'joined')")).toEqual([{ n: 0 }]);
    });

    it('a throw, rows without declared types, or anything else returned, fail their node naming the file', async () => {
      const project = makeProject(
        {
          'models/thrower.ts': "export default () => {\n  const broken = true;\n  if (broken) throw new Error('the model broke');\n  return [];\n};\n",
          'models/untyped.ts': "export const config = { materialized: 'table' };\nexport default () => [{ id: 1 }];\n",
          'models/odd.ts': 'export default () => 42;\n',
          'models/stream_throws.ts': [
            "export const config = { materialized: 'table', column_types: { id: 'integer' } };",
            'export default async function* () {',
            '  yield { id: 1 };',
            "  throw new Error('broke mid-stream');",
            '}',
          ].join('\n'),
          'models/fine.sql': 'select 1 as id',
        },
        backend,
      );
      const result = await project.run('run');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('models/thrower.ts:3:21: the model broke');
      expect(result.stderr).toMatch(/models\/untyped\.ts: models\/untyped\.ts returns rows, and no column types are declared/);
      expect(result.stderr).toContain('models/odd.ts: models/odd.ts returned a number');
      expect(result.stderr).toContain('models/stream_throws.ts:4:9: broke mid-stream');
      expect(await project.query(relationKinds)).toEqual([{ name: 'fine', kind: 'v' }]);
    });
  });
});
