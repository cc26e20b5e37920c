import type { ColumnType } from '../adapters/introspector.js';
import type { SourceLocation } from '../core/nodes.js';

/**
 * What a template's helpers do. The parser passes hooks that record refs, sources and config;
 * the compiler passes hooks that resolve them to relation names. The template never knows which.
 */
export interface RenderHooks {
  /** `{{ref "x"}}`; `{{ref "x" rejects=true}}` names the rejects table of JSON seed x. */
  ref(name: string, loc: SourceLocation, table?: 'rejects'): string;
  source(sourceName: string, table: string, loc: SourceLocation): string;
  config(values: Record<string, unknown>, loc: SourceLocation): void;
  variable(name: string, fallback: unknown, loc: SourceLocation): unknown;
  /** `{{#if (is_incremental)}}`: true when an incremental model is adding to its existing table. */
  isIncremental(): boolean;
  /** The root context of the template: `{{this}}`, `{{target.name}}`. */
  scope: TemplateScope;
  /** What the template reads of the database while compiled (dbt_utils.star); absent while parsing, as dbt's `execute`. */
  database?: CompileTimeDatabase;
}

/**
 * The database as a template reads it while it is compiled: a relation's columns (dbt_utils.star), a query's rows
 * (dbt_utils.get_column_values). Helpers are synchronous: an answer not known yet is undefined, the question is kept,
 * and the compiler asks the database and renders the template again (`Compiler.compile`).
 */
export interface CompileTimeDatabase {
  /** The columns of a relation in order; none when it does not exist. */
  columns(relation: string): ColumnType[] | undefined;
  /** The rows of a query, each value as PostgreSQL writes it as text (null for NULL). */
  rows(sql: string): Array<Array<string | null>> | undefined;
}

export interface TargetScope {
  name: string;
  schema: string;
  type: string;
  threads: number;
  profile_name: string;
}

/** A microbatch's time range as templates see it: `{{batch.start}}` is `2024-01-31 00:00:00+00`, end exclusive. */
export interface BatchScope {
  start: string;
  end: string;
}

/** `{{this}}` renders the node's relation because Handlebars stringifies the root context. */
export class TemplateScope {
  readonly target: TargetScope;
  readonly schema: string;
  readonly identifier: string;
  readonly name: string;
  readonly batch: BatchScope | undefined;
  readonly #relation: string;

  constructor(target: TargetScope, relation: { schema: string; identifier: string }, quoted: string, batch?: BatchScope) {
    this.target = target;
    this.schema = relation.schema;
    this.identifier = relation.identifier;
    this.name = relation.identifier;
    this.batch = batch;
    this.#relation = quoted;
  }

  toString(): string {
    return this.#relation;
  }
}
