import type { Relation } from '../core/nodes.js';
import type { CatalogEntry } from '../core/catalog.js';
import type { TableDistribution } from './dialect-sql.js';

/**
 * Every catalog query tsdbt makes, bound to one connection (`connection.introspector`): the core asks these and never
 * names a catalog table. Relations are passed as `Relation`s, or quoted (`"s"."t"`) where a temporary table the
 * session created may be meant.
 */
export interface Introspector {
  listSchemas(): Promise<string[]>;
  /** Tables, views, materialized views and foreign tables in `schemas`. */
  listRelations(schemas: string[]): Promise<CatalogRelation[]>;
  /** The kind of relation at `relation` now, or undefined: read inside the transaction that is about to replace it. */
  findRelation(relation: Relation): Promise<CatalogRelation | undefined>;
  /** Columns with their information_schema type names (`integer`, `character varying`). */
  listColumns(relation: Relation): Promise<Array<{ name: string; dataType: string }>>;
  /** Columns of any relation the session can name (temporary tables included), in order, with their full types. */
  relationColumns(quotedRelation: string): Promise<ColumnType[]>;
  /** The same, none when no such relation exists (dbt's get_columns_in_relation), without an error. */
  relationColumnsIfExists(quotedRelation: string): Promise<ColumnType[]>;
  /**
   * Views and materialized views that read `relation`, directly or through each other, each after the ones it reads:
   * what DROP ... CASCADE would take with it.
   */
  dependentViews(relation: Relation): Promise<DependentView[]>;
  /**
   * Where a distributed engine keeps the table's rows now (its distribution column, not its colocation), or undefined
   * for a table on one node: what an incremental run writes into, whatever its config says today.
   */
  tableDistribution(relation: Relation): Promise<TableDistribution | undefined>;
  /** Column lists of the unique indexes (and primary keys) on a relation: what INSERT ... ON CONFLICT can target. */
  uniqueIndexes(relation: Relation): Promise<string[][]>;
  /** Indexes on plain key columns (no expression, predicate or INCLUDE columns): the only ones a configured index can be. */
  plainIndexes(quotedRelation: string): Promise<IndexDefinition[]>;
  /** Names of the constraints on `relation` (none when it does not exist). */
  constraintNames(relation: Relation): Promise<string[]>;
  /** Privilege (lower case) → grantees on a relation, leaving out its owner's own privileges, which are never revoked. */
  grants(quotedRelation: string): Promise<Map<string, Set<string>>>;
  /**
   * Every existing relation of `relations` with its columns and size, in a constant number of queries whatever their
   * number (a 5,000-model project is read in well under a second). Relations that do not exist are absent.
   */
  describeRelations(relations: Relation[]): Promise<Map<string, CatalogEntry>>;
  /** Who holds one of tsdbt's session locks `keys` (see DialectSql.tryLock), or undefined once it has let go. */
  lockHolder(namespace: number, keys: number[]): Promise<LockHolder | undefined>;
}

export type RelationKind = 'table' | 'view' | 'materialized_view' | 'foreign_table';

export interface CatalogRelation extends Relation {
  kind: RelationKind;
}

export interface DependentView extends Relation {
  kind: 'view' | 'materialized_view';
  /** The SELECT as the database stores it, naming relations as they are called now. */
  definition: string;
}

export interface ColumnType {
  name: string;
  /** The full type as DDL spells it, `numeric(10,2)`, `character varying(20)`. */
  type: string;
}

/** What makes two indexes the same for tsdbt: key columns in order, uniqueness and access method; never the name. */
export interface IndexDefinition {
  columns: string[];
  unique: boolean;
  method: string;
}

export interface LockHolder {
  /** The holder's application name: command, client pid, host, start. */
  applicationName: string;
  serverPid: number;
  connectedSince: string;
}

/** The key of `relation` in describeRelations' map. */
export const relationKey = (relation: Relation): string => `${relation.schema}\u0000${relation.identifier}`;
