import type { NodeConfig } from './node-config.js';

/** The resources a project is made of, as the parser produces them and the graph, runner and artifacts consume them. */


export interface SourceLocation {
  line: number;
  column: number;
}

export interface RefCall {
  name: string;
  loc: SourceLocation;
}

export interface SourceCall {
  source: string;
  table: string;
  loc: SourceLocation;
}

export interface ColumnInfo {
  name: string;
  description: string;
  dataType?: string;
  meta: Record<string, unknown>;
  tests: unknown[];
  /** Applied when the model's contract is enforced. */
  constraints?: Constraint[];
  /** Where the property file declares the column, for errors about it. */
  line?: number;
}

export type ConstraintType = 'not_null' | 'unique' | 'primary_key' | 'check' | 'foreign_key' | 'custom';

/** A constraint as dbt declares it: on a column, or on a model naming its `columns`. */
export interface Constraint {
  type: ConstraintType;
  name?: string;
  /** check: the condition; custom: the clause verbatim; foreign_key (dbt before 1.9): `other_table (id)`. */
  expression?: string;
  /** A model-level constraint's columns. */
  columns?: string[];
  /** A foreign key's `ref('x')` or `source('s', 't')` as written, and the columns it references. */
  to?: string;
  toColumns?: string[];
  /** The relation `to` names, resolved once every node is parsed. */
  toRelation?: Relation;
  warnUnenforced: boolean;
  warnUnsupported: boolean;
  /** Where the property file declares it, for errors about it. */
  line?: number;
}

export interface Relation {
  schema: string;
  identifier: string;
}

export type ModelLanguage = 'sql' | 'typescript';

/** What a node or a source is: its kind, as dbt writes `resource_type`. */
export type ResourceType = NodeKind | 'source';

/** What every node of the DAG has, whatever its kind. */
interface NodeBase {
  uniqueId: string;
  name: string;
  packageName: string;
  /** Path relative to the project root, with forward slashes: `models/staging/stg_orders.sql`. */
  originalFilePath: string;
  /** dbt's fully qualified name: project, folders, name. */
  fqn: string[];
  rawCode: string;
  /** sha256 of the raw file content. */
  checksum: string;
  config: NodeConfig;
  description: string;
  columns: Record<string, ColumnInfo>;
  /** Model-level constraints, applied when a model's contract is enforced. */
  constraints?: Constraint[];
  refs: RefCall[];
  sources: SourceCall[];
  /** Unique ids of the nodes and sources this node reads. */
  dependsOn: string[];
  relation: Relation;
  /** Property file that describes this node, if any. */
  patchPath?: string;
}

export interface ModelNode extends NodeBase {
  resourceType: 'model';
  /** What a model is written in, which decides how it renders; sql unless said. */
  language?: ModelLanguage;
}

export interface SeedNode extends NodeBase {
  resourceType: 'seed';
  /** Where the seed's data comes from. */
  seed: SeedSource;
}

export interface SnapshotNode extends NodeBase {
  resourceType: 'snapshot';
  /** How the snapshot records history, checked at parse time. */
  snapshot: SnapshotSpec;
}

export interface TestNode extends NodeBase {
  resourceType: 'test';
  /** What the data test checks. */
  test: TestSpec;
}

export interface UnitTestNode extends NodeBase {
  resourceType: 'unit_test';
  /** The model under test, in `attachedNode`. */
  test: TestSpec & { attachedNode: string };
  /** The fixtures and expected rows. */
  unitTest: UnitTestSpec;
}

/** A node of the DAG; its `resourceType` says which kind, and which of the kind's fields it has (core/node-kinds.ts). */
export type GraphNode = ModelNode | SeedNode | SnapshotNode | TestNode | UnitTestNode;

/** The kinds of node a project is built from; a source is read, never built. */
export type NodeKind = GraphNode['resourceType'];

/** The node of one kind: `NodeOfKind<'seed'>` is `SeedNode`. */
export type NodeOfKind<K extends NodeKind> = Extract<GraphNode, { resourceType: K }>;

/** A snapshot's validated config: its key columns, how a change is detected, and what a vanished key does. */
export interface SnapshotSpec {
  uniqueKey: string[];
  strategy: { kind: 'timestamp'; updatedAt: string } | { kind: 'check'; columns: string[] | 'all' };
  hardDeletes: 'ignore' | 'invalidate';
}

/** A data test: a generic test applied to a node or source (and maybe a column), or a singular test file. */
export interface TestSpec {
  /** The generic test (`unique`, `accepted_values`, a project's own); undefined for a singular test. */
  testName?: string;
  /** The package written before a generic test's name (`dbt_utils.` of `dbt_utils.expression_is_true`), or null. */
  namespace?: string | null;
  /** Its arguments as written, column_name and dbt's `model` included for a generic test, as dbt's test_metadata.kwargs. */
  kwargs: Record<string, unknown>;
  /** The node or source the test is declared on; its direct children wait for the test in `build`. */
  attachedNode?: string;
  columnName?: string;
}

/** Rows as a unit test writes them: mappings (`dict`) or parsed CSV, whose values are all text or null. */
export interface FixtureRows {
  format: 'dict' | 'csv';
  rows: Array<Record<string, unknown>>;
}

/** What a unit test reads instead of one input of its model. */
export interface UnitTestInput {
  input: { kind: 'ref'; name: string } | { kind: 'source'; source: string; table: string } | { kind: 'this' };
  rows: FixtureRows;
}

/** A unit test of the model in `test.attachedNode`: its inputs replaced by `given`, its rows compared with `expect`. */
export interface UnitTestSpec {
  given: UnitTestInput[];
  expect: FixtureRows;
  /** `overrides: {macros: {is_incremental: true}}`. */
  isIncremental: boolean;
  /** `overrides: {vars}`, over the project's. */
  vars: Record<string, unknown>;
}

export type SeedFormat = 'csv' | 'json' | 'ndjson';

/** One file (`x.csv`), or the files under `root` matching `glob`, loaded as one table. */
export type SeedSource =
  | { kind: 'file'; format: SeedFormat; file: string }
  | { kind: 'folder'; format: Exclude<SeedFormat, 'csv'>; root: string; glob: string };

/** How old a source's newest row may be, with dbt's keys (as the manifest and `sources.json` write them). */
export interface SourceFreshness {
  warn_after?: FreshnessThreshold;
  error_after?: FreshnessThreshold;
  /** A WHERE condition on the rows the freshness query reads. */
  filter?: string;
}

export interface FreshnessThreshold {
  count: number;
  period: 'minute' | 'hour' | 'day';
}

/** A table declared under `sources:` in a property file. */
export interface SourceNode {
  uniqueId: string;
  resourceType: 'source';
  sourceName: string;
  name: string;
  packageName: string;
  originalFilePath: string;
  fqn: string[];
  description: string;
  loadedAtField?: string;
  freshness?: SourceFreshness;
  columns: Record<string, ColumnInfo>;
  relation: Relation;
  tags: string[];
  meta: Record<string, unknown>;
}
