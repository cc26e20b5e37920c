import type { Connection } from '../adapters/adapter.js';
import type { RelationKind } from '../adapters/introspector.js';
import { quoteIdentifier } from '../adapters/sql.js';
import { SQL_KEYWORD_BY_KIND } from './materialization.js';
import type { SwapTarget } from './swap.js';

/** `persist_docs: {relation: true, columns: true}`: descriptions from property files become database comments. */
export interface PersistDocsConfig {
  relation?: boolean;
  columns?: boolean;
}

/** Comments `relation` (quoted) with the model's description, and each documented column that it has. */
export async function persistDocs(target: SwapTarget, connection: Connection, relation: string, kind: RelationKind, config: PersistDocsConfig): Promise<void> {
  const { node } = target;
  if (config.relation) await target.run(connection, connection.dialect.sql.commentOn(`${SQL_KEYWORD_BY_KIND[kind]} ${relation}`, node.description));
  const documented = config.columns ? Object.values(node.columns) : [];
  if (documented.length === 0) return;
  const actual = new Set((await connection.introspector.relationColumns(relation)).map((column) => column.name));
  for (const column of documented) {
    // Property files name columns as written in SQL, where unquoted names fold to lower case.
    const name = actual.has(column.name) ? column.name : column.name.toLowerCase();
    if (!actual.has(name)) continue;
    await target.run(connection, connection.dialect.sql.commentOn(`column ${relation}.${quoteIdentifier(name)}`, column.description));
  }
}
