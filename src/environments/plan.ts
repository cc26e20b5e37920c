import type { Relation, ResourceType } from '../core/nodes.js';

/** How a node differs from the environment's version of it. */
export type ChangeKind = 'added' | 'directly modified' | 'indirectly modified' | 'unchanged';

/**
 * What applying the plan does for a node: `build` computes a new physical table; `reuse` points the environment at a
 * table that exists (built by another environment, or the previous version's, when what changed upstream is nothing
 * this node reads); `keep` leaves the environment's view as it is.
 */
export type PlanAction = 'build' | 'reuse' | 'keep';

/** What a build computes: a whole table, the batches of a time range (microbatch), or nothing (a view). */
export type Backfill = { kind: 'full' } | { kind: 'view' } | { kind: 'microbatch'; start?: string; end?: string };

export interface PlannedNode {
  uniqueId: string;
  name: string;
  resourceType: ResourceType;
  materialization: string;
  change: ChangeKind;
  /** A modified node: whether a downstream node reads what changed (so it gets a new version too). */
  breaking?: boolean;
  fingerprint: string;
  /** The environment's version before the plan. */
  previousFingerprint?: string;
  action: PlanAction;
  /** The physical table the environment's view points at once the plan is applied, and the version that named it. */
  table: Relation;
  tableFingerprint: string;
  /** Why the action, in words. */
  reason: string;
  /** The output columns whose values may differ from the environment's version; 'all' when its rows may differ. */
  changedColumns: string[] | 'all';
  addedColumns: string[];
  /** A directly modified node's SQL diff against the environment's version. */
  diff?: string;
  /** What a `build` computes. */
  backfill?: Backfill;
}

export interface RemovedNode {
  uniqueId: string;
  fingerprint: string;
  /** The environment's view, quoted. */
  view: string;
}

/** What applying a plan changes in an environment, node by node in DAG order. */
export interface Plan {
  environment: string;
  nodes: PlannedNode[];
  removed: RemovedNode[];
  /** A new environment: the environment it is compared with, and starts as (the default one). */
  basedOn?: string;
  /** `--start`/`--end`: the time range a microbatch model's new version is backfilled for. */
  range?: { start?: string; end?: string };
}

/** Whether applying the plan changes anything at all. */
export function planChanges(plan: Plan): boolean {
  return plan.basedOn !== undefined || plan.removed.length > 0 || plan.nodes.some((node) => node.action !== 'keep');
}
