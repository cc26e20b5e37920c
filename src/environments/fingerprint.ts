import { createHash } from 'node:crypto';
import type { GraphNode, SourceNode } from '../core/nodes.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import { isEphemeral } from '../materializations/registry.js';
import { stableJson } from '../util/stable-json.js';
import { sqlLogicHash } from './sql-normal-form.js';

/** Config keys that change no row of a node's data: what it is called in docs, who may read it, how its tests judge. */
const METADATA_KEYS = new Set(['tags', 'meta', 'docs', 'description', 'persist_docs', 'grants', 'enabled', 'full_refresh', 'severity', 'warn_if', 'error_if', 'store_failures', 'fail_calc', 'limit', 'where']);

/** A node that has versions: a model that is built (not ephemeral), a seed or a snapshot. */
export function isVersioned(node: GraphNode): boolean {
  return RESOURCE_KINDS[node.resourceType].referable && !isEphemeral(node);
}

/** What a node's own logic is, without its parents': the input of its fingerprint. */
export interface NodeLogic {
  uniqueId: string;
  /** Hash of the node's identity, config and SQL normal form (a seed's or TypeScript model's file checksum). */
  logic: string;
  /** The compiled SQL, whose refs name the nodes' logical relations (what a later plan diffs against). */
  compiledSql?: string;
  materialization: string;
  /** The versioned nodes it reads: its parents, seen through ephemeral models (whose SQL is inlined into it). */
  parents: string[];
}

type ProjectNode = GraphNode | SourceNode;

/** The logic of a versioned node; `compiledSql` for SQL models and snapshots. */
export function nodeLogic(node: GraphNode, nodes: ReadonlyMap<string, ProjectNode>, compiledSql: string | undefined): NodeLogic {
  const config = Object.fromEntries(Object.entries(node.config).filter(([key]) => !METADATA_KEYS.has(key)));
  const body = compiledSql === undefined ? `checksum:${node.checksum}` : `sql:${sqlLogicHash(compiledSql)}`;
  const logic = hash(stableJson({ id: node.uniqueId, kind: node.resourceType, relation: node.relation, config, body }));
  return { uniqueId: node.uniqueId, logic, compiledSql, materialization: node.config.materialized, parents: versionedParents(node, nodes) };
}

function versionedParents(node: GraphNode, nodes: ReadonlyMap<string, ProjectNode>): string[] {
  const parents = new Set<string>();
  const visit = (id: string) => {
    const parent = nodes.get(id);
    if (!parent || parent.resourceType === 'source') return;
    if (isVersioned(parent)) parents.add(id);
    else parent.dependsOn.forEach(visit);
  };
  node.dependsOn.forEach(visit);
  return [...parents].sort();
}

/**
 * Each node's fingerprint: its logic, its backfill range where limited, and its parents' fingerprints, in an order where parents come first. Equal
 * fingerprints mean the same logic over the same inputs all the way up, whoever computes them, in any environment.
 */
export function fingerprints(order: readonly string[], logic: ReadonlyMap<string, NodeLogic>, backfillRange: (id: string) => string | undefined = () => undefined): Map<string, string> {
  const result = new Map<string, string>();
  for (const id of order) {
    const node = logic.get(id);
    if (!node) continue;
    // A microbatch model backfilled for part of its range only (--start/--end) is another table than the complete one.
    const range = backfillRange(id);
    result.set(id, hash(stableJson({ logic: node.logic, parents: node.parents.map((parent) => [parent, result.get(parent) ?? 'missing']), ...(range ? { range } : {}) })));
  }
  return result;
}

/** 16 hex digits (64 bits): collisions among a project's versions are out of reach, and table names stay short. */
function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
