/** Counts per kind, in a fixed key order so the manifest's bytes do not depend on which kind was seen first. */
export type Tally<K extends string = string> = Record<K, number>;

export function emptyTally<K extends string>(kinds: Readonly<Record<K, number>>): Tally<K> {
  const tally = {} as Tally<K>;
  for (const kind of Object.keys(kinds) as K[]) tally[kind] = 0;
  return tally;
}

export function bump<K extends string>(tally: Tally<K>, kind: K, by = 1): void {
  tally[kind] += by;
}

export function addTally<K extends string>(into: Tally<K>, from: Readonly<Tally<K>>): void {
  for (const kind of Object.keys(from) as K[]) into[kind] = (into[kind] ?? 0) + from[kind];
}
