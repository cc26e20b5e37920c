import type { ResourceType } from '../core/nodes.js';
import type { ProjectLineage } from '../lineage/types.js';

/**
 * What `tsdbt docs generate` hands the static site (`target/docs/data.js` sets `window.__TSDBT_DOCS__` to it, so the
 * site works from file:// without fetch): the project's nodes with their catalog entries, the last run and the
 * column lineage. Every string in it is user-supplied and must be rendered as text.
 */
export interface DocsData {
  projectName: string;
  tsdbtVersion: string;
  generatedAt: string;
  /** In a project with virtual environments: the environment documented, whose views the nodes' relations are. */
  environment?: string;
  /** Markdown of the project's `{% docs __overview__ %}` block, shown on the home page. */
  overview?: string;
  nodes: DocsNode[];
  /** From target/run_results.json when there is one. */
  lastRun?: DocsRun;
  lineage: ProjectLineage;
}

export interface DocsNode {
  uniqueId: string;
  name: string;
  resourceType: ResourceType;
  /** table, view, incremental, ephemeral, materialized_view, seed, snapshot, test... */
  materialized?: string;
  language?: 'sql' | 'typescript';
  /** `"schema"."identifier"`, absent for ephemeral models and tests. */
  relation?: string;
  schema?: string;
  /** Project-relative path of the file that defines it. */
  path: string;
  /** dbt's fully qualified name and package, which the graph's selector matches as the CLI does. */
  fqn: string[];
  packageName: string;
  /** A source's source and table names (`name` shows them together). */
  source?: { name: string; table: string };
  /** A generic data test's test (`unique`); absent for singular tests, for `test_type:`. */
  testName?: string;
  /** Markdown, as written. */
  description: string;
  tags: string[];
  /** A source's tags and meta, what `config.` selects on. */
  config: Record<string, unknown>;
  columns: DocsColumn[];
  rawCode: string;
  /** The rendered SQL, when the node has one. */
  compiledCode?: string;
  parents: string[];
  children: string[];
  /** A data test's node (the model, seed or source it is declared on); a unit test's model. */
  attachedNode?: string;
  /** In a project with virtual environments: the version the environment's view shows, once it has one. */
  version?: DocsVersion;
  /** From the database (catalog.json), when the relation exists. */
  stats?: { relationType: string; rowEstimate: number | null; bytes: number | null };
}

export interface DocsVersion {
  /** The fingerprint of the version's logic and its upstream versions'. */
  fingerprint: string;
  /** The physical table (or view) holding the version's data, quoted. */
  table?: string;
}

export interface DocsColumn {
  name: string;
  /** From the catalog, else the declared data_type. */
  type?: string;
  description: string;
  /** unique_ids of the data tests on this column. */
  tests: string[];
}

export interface DocsRun {
  command?: string;
  generatedAt: string;
  elapsedTime: number;
  results: DocsRunResult[];
}

export interface DocsRunResult {
  uniqueId: string;
  /** success, error, skipped, pass, warn, fail */
  status: string;
  threadId: string;
  /** ISO instants; absent for a node that never started (skipped). */
  startedAt?: string;
  completedAt?: string;
  executionTime: number;
  message: string;
}
