import { relationKey, type CatalogEntry } from '../adapters/introspector.js';
import type { Relation } from '../graph/nodes.js';

export type { CatalogEntry };

export function catalogEntryOf(catalog: Map<string, CatalogEntry>, relation: Relation): CatalogEntry | undefined {
  return catalog.get(relationKey(relation));
}
