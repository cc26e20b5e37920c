import { inTransaction, type Connection } from '../adapters/adapter.js';
import { relationKey } from '../adapters/introspector.js';
import { quoteIdentifier, quoteRelation } from '../adapters/sql.js';
import type { GraphNode, Relation } from '../core/nodes.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import { isEphemeral } from '../materializations/registry.js';
import { referableRelations, tableDistribution } from '../materializations/distribution.js';
import { SQL_KEYWORD_BY_KIND } from '../materializations/materialization.js';

export interface CloneOptions {
  /** Replace the relations this target has already (--full-refresh). */
  replace: boolean;
  /**
   * Copy the state's rows into a table instead of making a view onto the state's relation (--copy): for a target that
   * must outlive, or not read, the state's. On a distributed engine the table is placed as the node's config says,
   * `colocate_with` named among `nodes` (the project's).
   */
  copy?: { distributed: boolean; nodes: Iterable<GraphNode> };
}

export interface CloneOutcome {
  /** The views (or, with copy, tables) made, each from the state's relation. */
  cloned: Array<{ node: GraphNode; from: Relation }>;
  /** Nodes left alone: this target has their relation already (and no --full-refresh asked to replace it). */
  kept: GraphNode[];
}

/**
 * dbt's `clone`, zero-copy: each of `nodes` (models, seeds, snapshots, every node after the nodes it refs) that the
 * state manifest has a relation for gets a view onto that relation in this target, or a copy of its rows, where this
 * target has none, or in place of its own with `replace` (--full-refresh). One catalog query finds what exists; every
 * relation is made in one transaction, so a failed clone leaves the target as it was.
 */
export async function cloneRelations(connection: Connection, nodes: GraphNode[], stateRelations: ReadonlyMap<string, Relation>, options: CloneOptions): Promise<CloneOutcome> {
  const candidates = nodes.filter((node) => RESOURCE_KINDS[node.resourceType].referable && !isEphemeral(node) && stateRelations.has(node.uniqueId));
  const schemas = [...new Set(candidates.map((node) => node.relation.schema))];
  const existing = new Map((await connection.introspector.listRelations(schemas)).map((relation) => [relationKey(relation), relation]));
  const outcome: CloneOutcome = { cloned: [], kept: [] };
  const relationNamed = options.copy?.distributed ? referableRelations(options.copy.nodes) : undefined;
  await inTransaction(connection, async () => {
    const existingSchemas = new Set(await connection.introspector.listSchemas());
    for (const schema of schemas.filter((name) => !existingSchemas.has(name))) await connection.query(`create schema ${quoteIdentifier(schema)}`);
    for (const node of candidates) {
      const from = stateRelations.get(node.uniqueId)!;
      // A node whose state relation is its own relation (the same target) has nothing to clone.
      if (relationKey(from) === relationKey(node.relation)) continue;
      const present = existing.get(relationKey(node.relation));
      if (present && !options.replace) {
        outcome.kept.push(node);
        continue;
      }
      if (present) await connection.query(`drop ${SQL_KEYWORD_BY_KIND[present.kind]} ${quoteRelation(node.relation)} cascade`);
      const query = `select * from ${quoteRelation(from)}`;
      if (options.copy) {
        const distribution = relationNamed ? tableDistribution(node, relationNamed) : undefined;
        for (const statement of connection.dialect.sql.createTableAs(quoteRelation(node.relation), query, { distribution })) await connection.query(statement);
      } else await connection.query(connection.dialect.sql.createView(quoteRelation(node.relation), query, {}));
      outcome.cloned.push({ node, from });
    }
  });
  return outcome;
}
