import { ephemeral } from './ephemeral.js';
import { incremental } from './incremental/incremental.js';
import type { GraphNode } from '../core/nodes.js';
import type { Materialization } from './materialization.js';
import { materializedView } from './materialized-view.js';
import { table } from './table.js';
import { view } from './view.js';

/** Materializations by name: adding one is one module and one line here. */
class MaterializationRegistry {
  private readonly byName = new Map<string, Materialization>();

  register(materialization: Materialization): void {
    this.byName.set(materialization.name, materialization);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Materialization {
    const found = this.byName.get(name);
    if (!found) throw new Error(`no materialization '${name}'`);
    return found;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}

export const materializations = new MaterializationRegistry();

/** A model that is never built: the compiler inlines it into its consumers. */
export function isEphemeral(node: GraphNode): boolean {
  return node.resourceType === 'model' && !materializations.get(node.config.materialized).producesRelation;
}
for (const materialization of [view, table, ephemeral, materializedView, incremental]) materializations.register(materialization);
