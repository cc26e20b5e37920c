import type { GraphNode, Relation } from '../core/nodes.js';
import { columnsRead } from '../lineage/columns-read.js';
import type { NodeLineage, ProjectLineage } from '../lineage/types.js';
import type { NodeLogic } from './fingerprint.js';
import type { Backfill, ChangeKind, Plan, PlannedNode } from './plan.js';
import { compareQueries, sqlDiff } from './query-change.js';
import type { EnvironmentViewRow, VersionRow } from './state.js';

export interface PlannerInput {
  environment: string;
  /** The versioned nodes, parents first. */
  order: readonly string[];
  nodes: ReadonlyMap<string, GraphNode>;
  logic: ReadonlyMap<string, NodeLogic>;
  fingerprints: ReadonlyMap<string, string>;
  /** Column lineage of the project's models as they are now (their compiled SQL over logical relations). */
  lineage: ProjectLineage;
  /** The environment's views, by node unique id. */
  current: ReadonlyMap<string, EnvironmentViewRow>;
  /** Known versions by fingerprint: at least the environment's and those of `fingerprints` that exist. */
  versions: ReadonlyMap<string, VersionRow>;
  physicalTable(node: GraphNode, tableFingerprint: string): Relation;
  /** `--start`/`--end`: limits a microbatch model's backfill; such a version is another table, and a plan without them builds the complete one. */
  range?: { start?: string; end?: string };
}

/** Columns of a node whose values may differ from its environment version's: 'all' when its rows may. */
type Changed = 'all' | ReadonlySet<string>;
const NOTHING: Changed = new Set<string>();

const isChanged = (changed: Changed | undefined): boolean => changed !== undefined && (changed === 'all' || changed.size > 0);

/**
 * Compares the project with an environment, node by node in DAG order. A node whose fingerprint the environment has
 * is unchanged. Otherwise it is added, directly modified (its own logic changed: its SQL is compared with the
 * version's to find the columns that may differ) or indirectly modified (a parent changed). An indirectly modified node
 * needs a new table only when it reads a column that may differ (column lineage, its WHERE and JOIN columns included),
 * when a parent's rows may differ, or when its own columns changed (a `*` over a parent that gained one); otherwise
 * the new version reuses the old table. A fingerprint that some environment already built is reused as it is.
 */
export function planEnvironment(input: PlannerInput): Plan {
  const changed = new Map<string, Changed>();
  const planned: PlannedNode[] = [];
  for (const id of input.order) {
    const node = input.nodes.get(id)!;
    const logic = input.logic.get(id)!;
    const fingerprint = input.fingerprints.get(id)!;
    const current = input.current.get(id);
    const previous = current ? input.versions.get(current.fingerprint) : undefined;
    const base = { uniqueId: id, name: node.name, resourceType: node.resourceType, materialization: logic.materialization, fingerprint, previousFingerprint: current?.fingerprint };
    if (previous && current!.fingerprint === fingerprint) {
      changed.set(id, NOTHING);
      planned.push({ ...base, change: 'unchanged', action: 'keep', ...tableOf(input, node, previous.table_fingerprint), reason: 'unchanged', changedColumns: [], addedColumns: [] });
      continue;
    }
    const columns = outputColumns(input.lineage[id]);
    const difference: Difference = previous ? compare(input, id, logic, previous, columns, changed) : { change: 'added', changed: 'all', added: columns ?? [], rebuild: true, reason: 'new in this environment' };
    changed.set(id, difference.changed);
    const existing = input.versions.get(fingerprint);
    const entry = { ...base, change: difference.change, changedColumns: difference.changed === 'all' ? ('all' as const) : [...difference.changed].sort(), addedColumns: difference.added };
    if (existing) {
      planned.push({ ...entry, action: 'reuse', ...tableOf(input, node, existing.table_fingerprint), reason: 'this version is built already' });
    } else if (!difference.rebuild) {
      planned.push({ ...entry, action: 'reuse', ...tableOf(input, node, previous!.table_fingerprint), reason: 'reads no column that changed upstream: the previous table is reused' });
    } else {
      planned.push({ ...entry, action: 'build', ...tableOf(input, node, fingerprint), backfill: backfillOf(node, input.range), reason: difference.reason });
    }
    if (difference.change === 'directly modified' && previous?.compiled_sql && logic.compiledSql) planned.at(-1)!.diff = sqlDiff(previous.compiled_sql, logic.compiledSql);
  }
  markBreaking(input, planned, changed);
  const removed = [...input.current.values()]
    .filter((row) => !input.logic.has(row.unique_id))
    .map((row) => ({ uniqueId: row.unique_id, fingerprint: row.fingerprint, view: row.relation }))
    .sort((a, b) => a.uniqueId.localeCompare(b.uniqueId));
  return { environment: input.environment, nodes: planned, removed, range: input.range };
}

interface Difference {
  change: Exclude<ChangeKind, 'unchanged'>;
  changed: Changed;
  added: string[];
  /** Whether the node needs a new table. */
  rebuild: boolean;
  reason: string;
}

function compare(input: PlannerInput, id: string, logic: NodeLogic, previous: VersionRow, columns: string[] | undefined, changed: ReadonlyMap<string, Changed>): Difference {
  const previousColumns = previous.columns === null ? undefined : (JSON.parse(previous.columns) as string[]);
  const added = columns && previousColumns ? columns.filter((column) => !previousColumns.includes(column)) : [];
  if (backfillRangeOf(input.nodes.get(id)!, input.range) !== versionRange(previous)) {
    return { change: 'directly modified', changed: 'all', added, rebuild: true, reason: 'its version was backfilled for another time range' };
  }
  if (previous.logic !== logic.logic) {
    if (!previous.compiled_sql || !logic.compiledSql) return { change: 'directly modified', changed: 'all', added, rebuild: true, reason: 'its logic changed' };
    const query = compareQueries(previous.compiled_sql, logic.compiledSql);
    const differing = query.rowsChanged ? 'all' : new Set([...query.removed, ...query.modified]);
    return { change: 'directly modified', changed: differing, added: query.added, rebuild: true, reason: 'its SQL changed' };
  }
  const lineage = input.lineage[id];
  let all = false;
  const differing = new Set<string>();
  const reasons: string[] = [];
  for (const parent of logic.parents) {
    const parentChanged = changed.get(parent);
    if (!isChanged(parentChanged)) continue;
    const parentName = input.nodes.get(parent)?.name ?? parent;
    const read = columnsRead(lineage, parent);
    if (parentChanged === 'all') {
      all = true;
      reasons.push(`the rows of ${parentName} may differ`);
      continue;
    }
    if (read === 'all') {
      all = true;
      reasons.push(`what it reads of ${parentName} is not known column by column`);
      continue;
    }
    const hit = [...parentChanged!].filter((column) => read.has(column));
    if (hit.length === 0) continue;
    reasons.push(`it reads ${hit.map((column) => `${parentName}.${column}`).join(', ')}`);
    const readsChanged = (refs: Array<{ node: string; column: string }>) => refs.some((ref) => ref.node === parent && parentChanged!.has(ref.column));
    if (readsChanged(lineage?.rowInputs ?? [])) all = true;
    for (const [column, derivation] of Object.entries(lineage?.columns ?? {})) if (readsChanged(derivation.upstream)) differing.add(column);
  }
  const columnsChanged = columns !== undefined && previousColumns !== undefined && (columns.length !== previousColumns.length || columns.some((column, i) => column !== previousColumns[i]));
  if (columnsChanged) reasons.push('its columns changed');
  const rebuild = reasons.length > 0;
  return { change: 'indirectly modified', changed: all ? 'all' : differing, added, rebuild, reason: reasons.join('; ') };
}

/** A modified node is breaking when some node downstream reads what may differ in it. */
function markBreaking(input: PlannerInput, planned: PlannedNode[], changed: ReadonlyMap<string, Changed>): void {
  const children = new Map<string, string[]>();
  for (const [id, logic] of input.logic) for (const parent of logic.parents) children.set(parent, [...(children.get(parent) ?? []), id]);
  for (const entry of planned) {
    if (entry.change !== 'directly modified' && entry.change !== 'indirectly modified') continue;
    const own = changed.get(entry.uniqueId);
    entry.breaking =
      isChanged(own) &&
      (children.get(entry.uniqueId) ?? []).some((child) => {
        const read = columnsRead(input.lineage[child], entry.uniqueId);
        return own === 'all' || read === 'all' || [...own!].some((column) => read.has(column));
      });
  }
}

function tableOf(input: PlannerInput, node: GraphNode, tableFingerprint: string): { table: Relation; tableFingerprint: string } {
  return { table: input.physicalTable(node, tableFingerprint), tableFingerprint };
}

/** A SQL model's output columns as its lineage found them; undefined when not known. */
function outputColumns(lineage: NodeLineage | undefined): string[] | undefined {
  return lineage && !lineage.error ? Object.keys(lineage.columns) : undefined;
}

function backfillOf(node: GraphNode, range: PlannerInput['range']): Backfill | undefined {
  if (node.config.materialized === 'view') return { kind: 'view' };
  if (node.config.materialized === 'incremental' && node.config.incremental_strategy === 'microbatch') {
    return { kind: 'microbatch', start: range?.start ?? node.config.begin, end: range?.end };
  }
  return { kind: 'full' };
}

/** A microbatch model's backfill limits when the plan has them (--start/--end), as `start/end` ISO text. */
export function backfillRangeOf(node: GraphNode, range: PlannerInput['range']): string | undefined {
  if (!range || node.config.materialized !== 'incremental' || node.config.incremental_strategy !== 'microbatch') return undefined;
  return `${range.start ? new Date(range.start).toISOString() : ''}/${range.end ? new Date(range.end).toISOString() : ''}`;
}

function versionRange(version: VersionRow): string | undefined {
  if (version.event_time_start === null && version.event_time_end === null) return undefined;
  return `${version.event_time_start?.toISOString() ?? ''}/${version.event_time_end?.toISOString() ?? ''}`;
}
