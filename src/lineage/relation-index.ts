/** A relation lineage can point at: a seed, source, snapshot or model, with its columns when they are known. */
export interface LineageRelation {
  uniqueId: string;
  /** Every column in the relation's order (from the catalog, or declared when the declaration is complete). Absent
   * when unknown: `*` over it and references into it are then reported unresolved, never guessed. */
  columns?: string[];
}

/** Finds the project relation a FROM item names. `schema` is undefined for an unqualified name. */
export interface RelationIndex {
  find(schema: string | undefined, name: string): LineageRelation | undefined;
}

export interface IndexedRelation extends LineageRelation {
  schema: string;
  identifier: string;
}

/**
 * An index over the project's relations. Unqualified names are looked up in `defaultSchema` only (the target
 * schema, first on the search path tsdbt runs models with); names are compared exactly, as the parser has already
 * folded unquoted identifiers to lower case.
 */
export function createRelationIndex(relations: Iterable<IndexedRelation>, defaultSchema: string): RelationIndex {
  const byName = new Map<string, LineageRelation>();
  const keyOf = (schema: string, name: string) => `${schema}\u0000${name}`;
  for (const { schema, identifier, uniqueId, columns } of relations) byName.set(keyOf(schema, identifier), { uniqueId, columns });
  return { find: (schema, name) => byName.get(keyOf(schema ?? defaultSchema, name)) };
}
