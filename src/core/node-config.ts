import { z } from 'zod';
import { strictObject } from './strict-object.js';

const tags = z.union([z.string(), z.array(z.string())]).transform((value) =>
  (Array.isArray(value) ? value : value.split(',')).map((tag) => tag.trim()).filter((tag) => tag.length > 0),
);
const sqlList = z.union([z.string(), z.array(z.string())]).transform((value) => (Array.isArray(value) ? value : [value]));

/**
 * Every config key a node accepts, in the project file (`+key`), a property file (`config:`) or in-file `{{config}}`.
 * One schema for all three places, so a key is valid everywhere or nowhere.
 */
export const nodeConfigShape = {
  enabled: z.boolean(),
  materialized: z.string(),
  schema: z.string(),
  alias: z.string(),
  database: z.string(),
  tags,
  meta: z.record(z.string(), z.unknown()),
  docs: z.object({ show: z.boolean().optional(), node_color: z.string().optional() }),
  description: z.string(),
  persist_docs: z.object({ relation: z.boolean().optional(), columns: z.boolean().optional() }),
  full_refresh: z.boolean(),
  pre_hook: sqlList,
  post_hook: sqlList,
  'pre-hook': sqlList,
  'post-hook': sqlList,
  unique_key: z.union([z.string(), z.array(z.string())]),
  grants: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  contract: z.object({ enforced: z.boolean() }),
  sql_header: z.string(),
  on_configuration_change: z.enum(['apply', 'continue', 'fail']),
  quote_columns: z.boolean(),
  column_types: z.record(z.string(), z.string()),
  // Incremental models.
  incremental_strategy: z.enum(['append', 'merge', 'delete+insert', 'microbatch']),
  merge_update_columns: z.array(z.string()),
  merge_exclude_columns: z.array(z.string()),
  incremental_predicates: sqlList,
  on_schema_change: z.enum(['ignore', 'fail', 'append_new_columns', 'sync_all_columns']),
  // Microbatch: event_time also marks an upstream model whose rows a batch filters by time.
  event_time: z.string(),
  batch_size: z.enum(['hour', 'day', 'month']),
  lookback: z.number().int().min(0),
  begin: z.union([z.string(), z.date()]).transform((value) => (value instanceof Date ? value.toISOString() : value)),
  concurrent_batches: z.boolean(),
  // A first build or full refresh as one batch over [begin, now) rather than one per batch_size (SQLMesh's default).
  refresh_in_one_batch: z.boolean(),
  // PostgreSQL relation settings (tables and incremental models).
  indexes: z.array(
    strictObject({
      columns: z.array(z.string()).min(1),
      unique: z.boolean().optional(),
      type: z.string().optional(),
    }),
  ),
  // Distributed engines (Citus): where a table's rows live. `hash` shards it by distribution_column, placing its
  // shards with those of colocate_with (a model, or `none`) or in shard_count shards; `reference` copies it to every
  // node; `local` keeps it on the coordinator. Single-server engines ignore them.
  distribution: z.enum(['hash', 'reference', 'local']),
  distribution_column: z.string(),
  colocate_with: z.string(),
  shard_count: z.number().int().min(1),
  // Snapshots.
  strategy: z.enum(['timestamp', 'check']),
  updated_at: z.string(),
  // A list, or in-file (where values are strings) comma-separated like tags.
  check_cols: z.union([z.array(z.string()), z.string()]).transform((value) =>
    value === 'all' ? ('all' as const) : (Array.isArray(value) ? value : value.split(',')).map((column) => column.trim()).filter((column) => column.length > 0),
  ),
  invalidate_hard_deletes: z.boolean(),
  hard_deletes: z.enum(['ignore', 'invalidate', 'new_record']),
  target_schema: z.string(),
  // Data tests.
  severity: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['warn', 'error'])),
  warn_if: z.string(),
  error_if: z.string(),
  where: z.string(),
  limit: z.number().int().min(1),
  store_failures: z.boolean(),
  // What a test's failing rows count as (dbt's fail_calc): count(*) by default.
  fail_calc: z.string(),
  // TypeScript models: upstream nodes not visible as ref()/source() calls in the code.
  depends_on: z.array(z.string()),
  // Seeds: how their files are read.
  format: z.enum(['csv', 'json', 'ndjson']),
  glob: z.string(),
  // The folder a folder seed's glob is matched in, instead of a seed path (may be `{{var "name" "default"}}`).
  root: z.string(),
  delimiter: z.string().length(1),
  quote: z.string().length(1),
  header: z.boolean(),
  null_values: z.union([z.string(), z.array(z.string())]).transform((value) => (Array.isArray(value) ? value : [value])),
} satisfies z.ZodRawShape;

export type ConfigKey = keyof typeof nodeConfigShape;
export const nodeConfigKeys = new Set<string>(Object.keys(nodeConfigShape));

/** A partial config as written in one place; validated, unknown keys rejected. */
export const partialNodeConfig = strictObject(
  Object.fromEntries(Object.entries(nodeConfigShape).map(([key, schema]) => [key, schema.optional()])) as {
    [K in ConfigKey]: z.ZodOptional<(typeof nodeConfigShape)[K]>;
  },
);
export type PartialNodeConfig = z.infer<typeof partialNodeConfig>;

/** dbt's spellings of the hook keys, read as pre_hook and post_hook. */
type HookAlias = 'pre-hook' | 'post-hook';

/** A node's resolved configuration: project file < property file < in-file `config`, the hook aliases folded in. */
export type NodeConfig = Omit<PartialNodeConfig, 'enabled' | 'materialized' | 'tags' | 'meta' | HookAlias> & {
  enabled: boolean;
  materialized: string;
  tags: string[];
  meta: Record<string, unknown>;
};

/** Keys a layer sets that are not copied as they are: merged (tags, meta) or read as another key (the hooks). */
const MERGED_KEYS: ReadonlySet<string> = new Set(['tags', 'meta', 'pre-hook', 'post-hook']);

/**
 * Later layers win, except tags, which accumulate, and meta, which merges, as in dbt. Runs once per node: no rest or
 * spread of the layers, which costs several times as much on 10,000 models.
 */
export function mergeConfigs(defaults: Pick<NodeConfig, 'materialized'>, layers: PartialNodeConfig[]): NodeConfig {
  const merged: NodeConfig = { enabled: true, materialized: defaults.materialized, tags: [], meta: {} };
  for (const layer of layers) {
    assignSet(merged, layer, MERGED_KEYS);
    // A layer that spells a hook both ways: dbt's spelling (`pre-hook`) wins.
    if (layer['pre-hook'] !== undefined) merged.pre_hook = layer['pre-hook'];
    if (layer['post-hook'] !== undefined) merged.post_hook = layer['post-hook'];
    if (layer.tags) merged.tags = [...new Set([...merged.tags, ...layer.tags])];
    if (layer.meta) merged.meta = { ...merged.meta, ...layer.meta };
  }
  return merged;
}

/** Copies the keys `values` sets, but `skipped`: a key a layer leaves unset keeps what the layers before it said. */
function assignSet<T extends object>(target: T, values: Partial<T>, skipped: ReadonlySet<string>): void {
  for (const key in values) {
    const value = values[key];
    if (value !== undefined && !skipped.has(key)) target[key] = value;
  }
}
