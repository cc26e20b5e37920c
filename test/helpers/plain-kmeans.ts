/**
 * Issue 8's k-means of hours of the day, written the plain way for tests to check models/bluesky/activity_clusters.ts
 * against: one point per post, no histogram, no shared code with the model.
 */

export interface PlainCluster {
  /** The index of the initial centre, at hour index * 24 / k. */
  index: number;
  centerHour: number;
  count: number;
}

const point = (hour: number): [number, number] => [Math.sin((2 * Math.PI * hour) / 24), Math.cos((2 * Math.PI * hour) / 24)];

/**
 * Points (sin t, cos t), t = 2 pi h / 24; initial centres at hours 0, 24/k, ...; each round assigns every point to
 * its nearest centre (the first on a tie) and stops when nothing changed, else moves every centre that has points to
 * their mean (at most 100 rounds). Clusters without points are left out; hour = atan2(mean sin, mean cos) in [0, 24).
 */
export function plainKMeans(hours: readonly number[], k: number): PlainCluster[] {
  const points = hours.map(point);
  const centres = Array.from({ length: k }, (_, j) => point((j * 24) / k));
  let assignment: number[] = [];
  for (let round = 0; round < 100; round++) {
    const next = points.map(([x, y]) => {
      let best = 0;
      for (let j = 1; j < k; j++) {
        const [cx, cy] = centres[j]!;
        const [bx, by] = centres[best]!;
        if ((x - cx) ** 2 + (y - cy) ** 2 < (x - bx) ** 2 + (y - by) ** 2) best = j;
      }
      return best;
    });
    if (next.every((j, i) => j === assignment[i])) break;
    assignment = next;
    const sums = centres.map(() => ({ n: 0, x: 0, y: 0 }));
    points.forEach(([x, y], i) => {
      const sum = sums[assignment[i]!]!;
      sum.n++;
      sum.x += x;
      sum.y += y;
    });
    sums.forEach((sum, j) => {
      if (sum.n > 0) centres[j] = [sum.x / sum.n, sum.y / sum.n];
    });
  }
  const clusters: PlainCluster[] = [];
  centres.forEach(([x, y], j) => {
    const count = assignment.filter((a) => a === j).length;
    if (count === 0) return;
    const hour = (((Math.atan2(x, y) / (2 * Math.PI)) * 24) % 24 + 24) % 24;
    clusters.push({ index: j, centerHour: hour === 24 ? 0 : hour, count });
  });
  return clusters;
}

/** Hours on the circle: 23.9999999 and 0 are close. */
export const circularGap = (a: number, b: number): number => Math.min(Math.abs(a - b), 24 - Math.abs(a - b));
