import { columnKey, columnOfKey } from './column-key.js';
import type { ColumnLineage, ColumnRef } from './types.js';

/** What a value derives from while a query is analysed: upstream columns, and what could not be resolved. */
export class Derivation {
  readonly sources = new Set<string>();
  readonly unresolved = new Set<string>();

  static of(ref: ColumnRef): Derivation {
    const derivation = new Derivation();
    derivation.sources.add(columnKey(ref));
    return derivation;
  }

  static unresolvable(reason: string): Derivation {
    const derivation = new Derivation();
    derivation.unresolved.add(reason);
    return derivation;
  }

  static union(derivations: Iterable<Derivation>): Derivation {
    const union = new Derivation();
    for (const derivation of derivations) union.add(derivation);
    return union;
  }

  add(other: Derivation): void {
    for (const source of other.sources) this.sources.add(source);
    for (const reason of other.unresolved) this.unresolved.add(reason);
  }

  get size(): number {
    return this.sources.size + this.unresolved.size;
  }

  /** The upstream columns, sorted. */
  refs(): ColumnRef[] {
    return [...this.sources].sort().map(columnOfKey);
  }

  /** What could not be resolved, as one message; undefined when everything was. */
  reasons(): string | undefined {
    return this.unresolved.size === 0 ? undefined : [...this.unresolved].join('; ');
  }

  toColumnLineage(): ColumnLineage {
    const upstream = this.refs();
    const unresolved = this.reasons();
    return unresolved === undefined ? { upstream } : { upstream, unresolved };
  }
}
