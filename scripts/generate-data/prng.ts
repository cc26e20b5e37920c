/**
 * A seeded PRNG (mulberry32) and the draws the generators need. Every entity (an ambassador, a pin, a sink file)
 * gets its own generator, seeded from (seed, stream, index): an entity can be regenerated alone, which is what lets
 * `--append` continue a run and a duplicate look back at an earlier entity without keeping anything in memory.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const key of keys) total += weights[key];
    let draw = this.next() * total;
    for (const key of keys) {
      draw -= weights[key];
      if (draw < 0) return key;
    }
    return keys[keys.length - 1] as K;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
}

/** FNV-1a over the stream name, mixed with the seed and index: independent streams per (seed, stream, index). */
export function rngFor(seed: number, stream: string, index: number): Rng {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ index, 0x9e3779b1);
  h ^= h >>> 13;
  return new Rng(h);
}
