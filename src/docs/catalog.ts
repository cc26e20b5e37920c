import { relationKey } from '../adapters/introspector.js';
import type { CatalogEntry } from '../core/catalog.js';
import type { Relation } from '../core/nodes.js';

export function catalogEntryOf(catalog: Map<string, CatalogEntry>, relation: Relation): CatalogEntry | undefined {
  return catalog.get(relationKey(relation));
}
