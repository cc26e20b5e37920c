import type { CompiledQuery, Kysely } from 'kysely';
import { queryBuilder } from '../adapters/kysely.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { TsdbtError } from '../core/errors.js';
import type { GraphNode, Relation } from '../core/nodes.js';
import type { NodeConfig } from '../core/node-config.js';
import type { ModelRow } from '../materializations/model-output.js';
import { isEphemeral } from '../materializations/registry.js';
import { resolveVariable } from '../templating/variables.js';
import { dbtUtilsFunctions, type DbtUtilsFunctions } from '../templating/dbt-utils/macros.js';
import { injectCtes, type CompilerInput } from '../templating/compiler.js';
import { batchFilter } from '../materializations/incremental/batch-filter.js';
import type { RenderOptions, TimeRange } from '../core/render.js';
import type { TargetScope } from '../templating/render-hooks.js';
import { DEFAULT_BATCH_SIZE, ModelDriver } from './kysely-driver.js';
import type { ModelConnections } from './model-connections.js';

/** Anything Kysely compiles: a query builder, or a raw `sql` template (which needs the instance to compile). */
export interface CompilableQuery {
  compile(executorProvider: unknown): CompiledQuery;
}

export interface ReadOptions {
  /** Rows per FETCH (default 10,000): at most this many are held at once. */
  batchSize?: number;
}

/** What a TypeScript model's default export receives. */
export interface ModelContext {
  /** `schema.identifier` of a model or seed this model reads, for `db.selectFrom(ref('orders'))`; in a unit test, its fixture's CTE. */
  ref(name: string): string;
  /** `schema.identifier` of a declared source table. */
  source(sourceName: string, table: string): string;
  /** --vars over the project's vars over `fallback`; with neither, an error. */
  var(name: string, fallback?: unknown): unknown;
  /** The model's resolved config. */
  config: NodeConfig;
  /** `schema.identifier` of the model's own relation. */
  this: string;
  /** True when an incremental model adds to its existing table: return only the new rows. */
  isIncremental: boolean;
  /** The microbatch being built, start inclusive, end exclusive. */
  batch?: TimeRange;
  target: TargetScope;
  /** Builds queries to return (values are inlined when materialised), or runs small ones on the build's connection. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the project's tables are unknown to tsdbt: any name goes
  db: Kysely<any>;
  /** Streams the rows of a relation (`ref('x')`) or a query through a server-side cursor, a batch at a time. */
  read(from: string | CompilableQuery, options?: ReadOptions): AsyncIterable<ModelRow>;
  /**
   * dbt_utils' macros, each giving its SQL (get_column_values its values): `await dbt_utils.star({from: ref('orders'),
   * except: ['id']})`, positional arguments in dbt_utils' order, keyword ones in a plain object given last.
   */
  dbt_utils: DbtUtilsFunctions;
}

/** The context for one build of `node`, its queries and reads going through `connections`. */
export function createModelContext(parsed: CompilerInput, node: GraphNode, options: RenderOptions, connections: ModelConnections): ModelContext & { batchFilters: string[] } {
  // In a microbatch, refs to models with an event_time name CTEs holding the batch's range; a query using them gets them.
  const batchFilters: string[] = [];
  const { kysely } = connections.adapter.dialect;
  const db: ModelContext['db'] = queryBuilder(kysely, new ModelDriver(connections), kysely.createInliningQueryCompiler());
  const file = node.originalFilePath;
  const undeclared = (call: string) =>
    new TsdbtError('runtime', `${call} is not among the model's dependencies`, {
      location: { file },
      hint: "dependencies are the ref()/source() calls with literal arguments in the code; name others in config.depends_on, e.g. depends_on: ['orders', 'source:raw.events']",
    });
  return {
    ref(name) {
      if (!node.refs.some((ref) => ref.name === name)) throw undeclared(`ref('${name}')`);
      const given = options.inputs?.refs.get(name);
      if (given !== undefined) return given;
      const upstream = [...parsed.nodes.values()].find((candidate) => candidate.name === name)!;
      if (isEphemeral(upstream)) {
        throw new TsdbtError('runtime', `ref('${name}') is an ephemeral model, which has no relation to read`, { location: { file }, hint: `materialize '${name}' as a view` });
      }
      const filtered = options.batch && batchFilter(upstream, options.batch);
      if (filtered) {
        if (!batchFilters.includes(filtered.cte)) batchFilters.push(filtered.cte);
        return filtered.name;
      }
      return relationName(upstream.relation);
    },
    source(sourceName, table) {
      if (!node.sources.some((call) => call.source === sourceName && call.table === table)) throw undeclared(`source('${sourceName}', '${table}')`);
      const given = options.inputs?.sources.get(`${sourceName}.${table}`);
      if (given !== undefined) return given;
      return relationName(parsed.sources.get(`source.${parsed.project.name}.${sourceName}.${table}`)!.relation);
    },
    var(name, fallback) {
      try {
        return resolveVariable({ ...parsed.vars, ...options.vars }, name, fallback, { line: 0, column: 0 });
      } catch (error) {
        throw new TsdbtError('runtime', (error as Error).message, {
          location: { file },
          hint: `set it under vars: in tsdbt_project.yml, pass --vars '{${name}: value}', or give a default: var('${name}', 'default')`,
        });
      }
    },
    config: node.config,
    this: options.inputs?.this ?? relationName(node.relation),
    isIncremental: options.isIncremental === true,
    batch: options.batch,
    target: parsed.target,
    db,
    batchFilters,
    dbt_utils: dbtUtilsFunctions((name, fallback) => resolveVariable({ ...parsed.vars, ...options.vars }, name, fallback, { line: 0, column: 0 }), connections.readDatabase),
    async *read(from, readOptions = {}) {
      const sql = injectCtes(typeof from === 'string' ? `select * from ${quoteRelationName(from)}` : compileQuery(from, db, file), batchFilters);
      for await (const rows of connections.batches(sql, readOptions.batchSize ?? DEFAULT_BATCH_SIZE)) yield* rows;
    },
  };
}

/** The SQL of a query built with the context's `db`, values inlined. */
export function compileQuery(query: CompilableQuery, db: Kysely<unknown>, file: string): string {
  const compiled = query.compile(db);
  if (compiled.parameters.length > 0) {
    // Only another Kysely instance leaves `$n` parameters, and there is nowhere to send them.
    throw new TsdbtError('runtime', 'the query has parameters, which cannot be materialised', {
      location: { file },
      hint: "build it with the context's db (or compile raw sql with it), which writes values into the SQL",
    });
  }
  return compiled.sql;
}

export function isCompilableQuery(value: unknown): value is CompilableQuery {
  return typeof value === 'object' && value !== null && typeof (value as { compile?: unknown }).compile === 'function';
}

/** Kysely's form of a table name: unquoted `schema.table`, which it splits and quotes. */
function relationName(relation: Relation): string {
  return `${relation.schema}.${relation.identifier}`;
}

/** `schema.table` (as ref() gives it) or `table`, quoted. */
function quoteRelationName(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? quoteIdentifier(name) : `${quoteIdentifier(name.slice(0, dot))}.${quoteIdentifier(name.slice(dot + 1))}`;
}
