import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeBackends } from '../helpers/suite.js';
import { makeProject, type TestProject } from '../helpers/project.js';

/** Each index on a relation as PostgreSQL describes it, without its (run-specific) name. */
async function indexDefinitions(project: TestProject, table: string): Promise<string[]> {
  const rows = await project.query<{ definition: string }>(
    `select regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') as definition from pg_indexes where schemaname = 'analytics' and tablename = $1 order by 1`,
    [table],
  );
  return rows.map((row) => row.definition);
}

function modelsFile(models: Array<Record<string, unknown>>): string {
  return `version: 2\nmodels: ${JSON.stringify(models)}\n`;
}

/** The tables' distribution on Citus (sharded by id), which the other engines ignore. */
const byId = { distribution_column: 'id' };

describeBackends('relation settings', (backend) => {
  describe('indexes', () => {
    const orders = `{{config materialized="table"}}\nselect 1 as id, 'a' as status, 2 as customer_id, '{"k": 1}'::jsonb as payload`;

    it('creates the configured indexes on a table: unique, multi-column, gin on jsonb; once each, on every rebuild', async () => {
      const indexes = [
        { columns: ['id'], unique: true },
        { columns: ['customer_id', 'status'] },
        { columns: ['payload'], type: 'gin' },
        { columns: ['id'], unique: true },
      ];
      // Hash-distributed on Citus, where each shard gets the indexes too.
      const project = makeProject({ 'models/orders.sql': orders, 'models/orders.yml': modelsFile([{ name: 'orders', config: { indexes, ...byId } }]) }, backend);
      const first = await project.run('run');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const expected = [
        'CREATE INDEX ON analytics.orders USING btree (customer_id, status)',
        'CREATE INDEX ON analytics.orders USING gin (payload)',
        'CREATE UNIQUE INDEX ON analytics.orders USING btree (id)',
      ];
      expect(await indexDefinitions(project, 'orders')).toEqual(expected);

      // The rebuild's indexes exist beside the old table's until the swap commits: their names must differ.
      expect((await project.run('run')).code).toBe(0);
      expect(await indexDefinitions(project, 'orders')).toEqual(expected);

      project.write('models/orders.yml', modelsFile([{ name: 'orders', config: { indexes: [...indexes, { columns: ['status'], type: 'hash' }], ...byId } }]));
      expect((await project.run('run')).code).toBe(0);
      expect(await indexDefinitions(project, 'orders')).toEqual([...expected, 'CREATE INDEX ON analytics.orders USING hash (status)'].sort());
    });

    it('keeps the indexes of an incremental table and adds only new ones; a unique index serves the merge', async () => {
      const events = '{{config materialized="incremental" unique_key="id"}}\nselect 1 as id, now() as seen_at';
      const project = makeProject(
        { 'models/events.sql': events, 'models/events.yml': modelsFile([{ name: 'events', config: { indexes: [{ columns: ['id'], unique: true }] } }]) },
        backend,
      );
      expect((await project.run('run')).code).toBe(0);
      const before = await project.query<{ name: string }>("select indexname as name from pg_indexes where tablename = 'events'");
      expect(before).toHaveLength(1);

      project.write('models/events.yml', modelsFile([{ name: 'events', config: { indexes: [{ columns: ['id'], unique: true }, { columns: ['seen_at'] }] } }]));
      const second = await project.run('run');
      expect(second.stderr).toBe('');
      expect(second.code).toBe(0);
      const after = await project.query<{ name: string }>("select indexname as name from pg_indexes where tablename = 'events' order by indexdef");
      expect(after).toHaveLength(2);
      expect(after.map((row) => row.name)).toContain(before[0]!.name);
      expect(await project.query('select count(*)::int as n from analytics.events')).toEqual([{ n: 1 }]);
    });

    it('indexes a materialized view and ignores indexes on a view', async () => {
      const indexes = [{ columns: ['id'] }];
      const project = makeProject(
        {
          'models/totals.sql': '{{config materialized="materialized_view"}}\nselect 1 as id',
          'models/plain.sql': 'select 1 as id',
          'models/schema.yml': modelsFile([
            { name: 'totals', config: { indexes } },
            { name: 'plain', config: { indexes } },
          ]),
        },
        backend,
      );
      expect((await project.run('run')).code).toBe(0);
      expect(await indexDefinitions(project, 'totals')).toEqual(['CREATE INDEX ON analytics.totals USING btree (id)']);
      expect(await indexDefinitions(project, 'plain')).toEqual([]);
    });
  });

  describe('persist_docs', () => {
    it('comments tables, views and their documented columns with the descriptions of property files', async () => {
      const columns = [
        { name: 'id', description: "the order's id" },
        { name: 'Amount', description: 'in euros' },
        { name: 'missing', description: 'not a column of the model' },
      ];
      const project = makeProject(
        {
          'models/orders.sql': '{{config materialized="table"}}\nselect 1 as id, 2.5 as amount',
          'models/order_view.sql': 'select * from {{ref "orders"}}',
          'models/schema.yml': modelsFile([
            // A view reads the table: on Citus its rebuild drops the old distributed table with the view and restores it.
            { name: 'orders', description: "Orders, one row each; it's a table", config: { persist_docs: { relation: true, columns: true }, ...byId }, columns },
            { name: 'order_view', description: 'Orders as a view', config: { persist_docs: { relation: true, columns: true } }, columns },
          ]),
        },
        backend,
      );
      const result = await project.run('run');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const comments = `
        select c.relname as relation, a.attname as "column", d.description
        from pg_description d
        join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'analytics'
        left join pg_attribute a on a.attrelid = c.oid and a.attnum = d.objsubid and d.objsubid > 0
        order by 1, 2 nulls first`;
      const expected = [
        { relation: 'order_view', column: null, description: 'Orders as a view' },
        { relation: 'order_view', column: 'amount', description: 'in euros' },
        { relation: 'order_view', column: 'id', description: "the order's id" },
        { relation: 'orders', column: null, description: "Orders, one row each; it's a table" },
        { relation: 'orders', column: 'amount', description: 'in euros' },
        { relation: 'orders', column: 'id', description: "the order's id" },
      ];
      expect(await project.query(comments)).toEqual(expected);
      // Rebuilt, and replaced in place: the comments are there again.
      expect((await project.run('run')).code).toBe(0);
      expect(await project.query(comments)).toEqual(expected);
    });
  });

  describe('grants', () => {
    it('grants the configured privileges, revokes those no longer configured, and fails on an unknown role', async () => {
      const suffix = randomBytes(4).toString('hex');
      const [reader, writer, gone] = ['reader', 'writer', 'gone'].map((role) => `tsdbt_test_${role}_${suffix}`) as [string, string, string];
      const grantsOf = (grants: Record<string, string[]>) =>
        modelsFile([
          { name: 'orders', config: { grants, ...byId } },
          { name: 'order_view', config: { grants } },
        ]);
      const project = makeProject(
        {
          'models/orders.sql': '{{config materialized="table"}}\nselect 1 as id',
          // Reads no table of the run, so nothing recreates it: it is replaced in place and keeps its grants.
          'models/order_view.sql': 'select 1 as id',
          'models/schema.yml': grantsOf({ select: [reader, writer], insert: [writer] }),
        },
        backend,
      );
      const privileges = (relation: string) =>
        project.query<Record<string, boolean>>(
          `select ${[reader, writer].flatMap((role) => ['select', 'insert'].map((privilege) => `has_table_privilege('${role}', 'analytics.${relation}', '${privilege}') as "${role.split('_')[2]}_${privilege}"`)).join(', ')}`,
        );
      await project.query(`create role ${reader}`);
      await project.query(`create role ${writer}`);
      try {
        const first = await project.run('run');
        expect(first.stderr).toBe('');
        expect(first.code).toBe(0);
        for (const relation of ['orders', 'order_view']) {
          expect(await privileges(relation)).toEqual([{ reader_select: true, reader_insert: false, writer_select: true, writer_insert: true }]);
        }

        // The table is new and gets only what is configured; the view loses what no longer is.
        project.write('models/schema.yml', grantsOf({ select: [reader] }));
        expect((await project.run('run')).code).toBe(0);
        for (const relation of ['orders', 'order_view']) {
          expect(await privileges(relation)).toEqual([{ reader_select: true, reader_insert: false, writer_select: false, writer_insert: false }]);
        }
        expect(project.read('target/run/test_project/models/order_view.sql')).toMatch(/revoke select on "analytics"."order_view" from "tsdbt_test_writer_/);

        project.write('models/schema.yml', grantsOf({ select: [reader, gone] }));
        const failed = await project.run('run', '-s', 'orders');
        expect(failed.code).toBe(1);
        expect(failed.stderr).toContain(`role "${gone}" does not exist`);
        // The failed rebuild left the table as it was.
        expect(await privileges('orders')).toEqual([{ reader_select: true, reader_insert: false, writer_select: false, writer_insert: false }]);
      } finally {
        // Roles belong to the whole cluster: they outlive this test's database unless dropped.
        await project.query(`drop owned by ${reader}, ${writer}`);
        await project.query(`drop role ${reader}`);
        await project.query(`drop role ${writer}`);
      }
    });
  });
});
