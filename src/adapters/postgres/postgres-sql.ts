import { PostgresAdapter as KyselyPostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { SqlDialect } from '../dialect.js';
import type { DialectSql, TableOptions } from '../dialect-sql.js';
import { quoteLiteral } from '../sql.js';
import { InliningQueryCompiler } from './postgres-inlining-compiler.js';

const createTable = (options: TableOptions) => `${options.temporary ? 'create temporary table' : 'create table'}${options.ifNotExists ? ' if not exists' : ''}`;
const columnNames = (options: TableOptions) => (options.columns ? ` (${options.columns.join(', ')})` : '');
const onCommit = (options: TableOptions) => (options.temporary ? ' on commit drop' : '');

/** PostgreSQL's own statements: advisory locks keyed by two 32-bit integers or a name's hash, CTAS, ON CONFLICT, MERGE, COPY's options. */
export const postgresSql: DialectSql = {
  tryLock: 'select pg_try_advisory_lock($1::int4, $2::int4) as ok',
  unlock: 'select pg_advisory_unlock($1::int4, $2::int4)',
  transactionLock: (name) => `select pg_advisory_xact_lock(hashtext(${quoteLiteral(name)}))`,
  createTableAs: (relation, query, options) => [
    `${createTable(options)} ${relation}${columnNames(options)}${onCommit(options)} as (\n${query}\n)${options.withData === false ? ' with no data' : ''}`,
  ],
  createTable: (relation, definition, options) => [`${createTable(options)} ${relation} (${definition})${onCommit(options)}`],
  createView: (relation, query, options) => `create ${options.orReplace ? 'or replace ' : ''}${options.materialized ? 'materialized view' : 'view'} ${relation} as\n${query}`,
  commentOn: (object, text) => `comment on ${object} is ${quoteLiteral(text)}`,
  copyTextOptions: 'format text',
  copyCsvOptions: (options) =>
    [
      'format csv',
      `header ${options.header}`,
      `delimiter ${quoteLiteral(options.delimiter)}`,
      `quote ${quoteLiteral(options.quote)}`,
      `null ${quoteLiteral(options.null)}`,
    ].join(', '),
  renameRelation: (keyword, relation, identifier) => `alter ${keyword} ${relation} rename to ${identifier}`,
  upsert({ relation, targetAlias, source, columns, keys, updates }) {
    const list = columns.join(', ');
    const action = updates.length > 0 ? `do update set ${updates.map((column) => `${column} = excluded.${column}`).join(', ')}` : 'do nothing';
    return `insert into ${relation} as ${targetAlias} (${list})\nselect ${list} from ${source}\non conflict (${keys.join(', ')}) ${action}`;
  },
  merge({ relation, targetAlias, source, sourceAlias, columns, updates, on }) {
    const matched = updates.length > 0 ? `\nwhen matched then update set ${updates.map((column) => `${column} = ${sourceAlias}.${column}`).join(', ')}` : '';
    const values = columns.map((column) => `${sourceAlias}.${column}`).join(', ');
    return `merge into ${relation} as ${targetAlias}\nusing ${source}\non ${on.join('\n  and ')}${matched}\nwhen not matched then insert (${columns.join(', ')}) values (${values})`;
  },
};

export const postgresKysely: SqlDialect['kysely'] = {
  createAdapter: () => new KyselyPostgresAdapter(),
  createQueryCompiler: () => new PostgresQueryCompiler(),
  createIntrospector: (db) => new PostgresIntrospector(db),
  createInliningQueryCompiler: () => new InliningQueryCompiler(),
};
