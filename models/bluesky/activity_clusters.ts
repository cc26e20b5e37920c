/**
 * When in the (UTC) day posts are made, clustered, and each cluster placed in the region whose working hours it falls
 * in (issue 8, pipeline D). One row per non-empty cluster; column types are declared in bluesky.yml.
 *
 * A post is the point (sin t, cos t) on the unit circle, t = 2 pi h / 24, h = hour + minute / 60 + second / 3600 of
 * its created_at in UTC, whole seconds only: the fraction of a second is dropped (truncated, not rounded), so h takes
 * one of 86,400 values. PostgreSQL therefore only counts posts per second of the day, and the k-means runs here on
 * that weighted histogram (at most 86,400 points, whatever the number of posts). Points of the same second are the
 * same point, always assigned together, so every step gives what clustering the posts one by one gives (the sums
 * differ only in rounding).
 */
import { sql, type Kysely } from 'kysely';

export const config = { materialized: 'table', schema: 'analysis' };

/** What this model uses of the context tsdbt passes. */
interface Context {
  db: Kysely<unknown>;
  ref(name: string): string;
  var(name: string, fallback?: unknown): unknown;
}

export interface Region {
  region: string;
  utcOffsetHours: number;
}

export interface KMeansCluster {
  /** The index of the cluster's initial centre, at hour index * 24 / k. */
  index: number;
  /** In [0, 24). */
  centerHour: number;
  /** The summed weights of its points (posts). */
  weight: number;
}

const HOURS = 24;
const radians = (hour: number): number => (2 * Math.PI * hour) / HOURS;

/**
 * Deterministic weighted k-means of hours of the day as points on the unit circle (x = sin t, y = cos t):
 * - the initial centres are the points of hours 0, 24/k, 2*24/k, ...;
 * - Lloyd iterations: each point goes to its nearest centre (squared Euclidean distance; on a tie, the lowest
 *   index), then each centre moves to the weighted mean of its points; until an assignment step changes nothing, at
 *   most `maxIterations` assignment steps. A centre left without points keeps its place meanwhile;
 * - the clusters still empty at the end are dropped. A centre's hour is atan2(mean sin, mean cos) mapped to [0, 24).
 * Clusters come back in index order.
 */
export function weightedKMeans(hours: ArrayLike<number>, weights: ArrayLike<number>, k: number, maxIterations = 100): KMeansCluster[] {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
  if (hours.length !== weights.length) throw new Error(`${hours.length} hours but ${weights.length} weights`);
  const n = hours.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = Math.sin(radians(hours[i]!));
    ys[i] = Math.cos(radians(hours[i]!));
  }
  const cx = new Float64Array(k);
  const cy = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    cx[j] = Math.sin(radians((j * HOURS) / k));
    cy[j] = Math.cos(radians((j * HOURS) / k));
  }
  const assignment = new Int32Array(n).fill(-1);
  const sumW = new Float64Array(k);
  const sumX = new Float64Array(k);
  const sumY = new Float64Array(k);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let j = 0; j < k; j++) {
        const dx = xs[i]! - cx[j]!;
        const dy = ys[i]! - cy[j]!;
        const distance = dx * dx + dy * dy;
        if (distance < bestDistance) {
          best = j;
          bestDistance = distance;
        }
      }
      if (assignment[i] !== best) {
        assignment[i] = best;
        changed = true;
      }
    }
    if (!changed) break;
    sumW.fill(0);
    sumX.fill(0);
    sumY.fill(0);
    for (let i = 0; i < n; i++) {
      const j = assignment[i]!;
      const w = weights[i]!;
      sumW[j]! += w;
      sumX[j]! += w * xs[i]!;
      sumY[j]! += w * ys[i]!;
    }
    for (let j = 0; j < k; j++) {
      if (sumW[j]! > 0) {
        cx[j] = sumX[j]! / sumW[j]!;
        cy[j] = sumY[j]! / sumW[j]!;
      }
    }
  }
  // The centres are the means of the final assignment (the last step either changed nothing or was followed by an
  // update), and sumW its weights.
  const clusters: KMeansCluster[] = [];
  for (let j = 0; j < k; j++) {
    if (!(sumW[j]! > 0)) continue;
    clusters.push({ index: j, centerHour: hourOf(cx[j]!, cy[j]!), weight: sumW[j]! });
  }
  return clusters;
}

/** The hour in [0, 24) of the angle atan2(sin, cos). */
export function hourOf(meanSin: number, meanCos: number): number {
  const hour = (Math.atan2(meanSin, meanCos) * HOURS) / (2 * Math.PI);
  const wrapped = hour < 0 ? hour + HOURS : hour;
  // -1e-17 + 24 rounds to 24, which is midnight.
  return wrapped >= HOURS ? 0 : wrapped;
}

/**
 * The region whose local time of `centerHour` is within working hours, 9 <= local <= 17, with confidence
 * 1 - |local - 13| / 4: the most confident (the first in `regions`' order on a tie), else 'Unknown' with 0.
 */
export function matchRegion(centerHour: number, regions: readonly Region[]): { region: string; confidence: number } {
  let best: { region: string; confidence: number } | undefined;
  for (const { region, utcOffsetHours } of regions) {
    const local = (((centerHour + utcOffsetHours) % HOURS) + HOURS) % HOURS;
    if (local < 9 || local > 17) continue;
    const confidence = 1 - Math.abs(local - 13) / 4;
    if (best === undefined || confidence > best.confidence) best = { region, confidence };
  }
  return best ?? { region: 'Unknown', confidence: 0 };
}

export default async function activityClusters({ db, ref, var: v }: Context) {
  const k = Number(v('cluster_count', 24));
  if (!Number.isInteger(k) || k < 1) throw new Error(`var cluster_count must be a positive integer, got ${JSON.stringify(v('cluster_count', 24))}`);
  // The CSV loader keeps no row numbers; the offsets ascend strictly in the file, so this is file order.
  const regionRows = await sql<{ region: string; utc_offset_hours: string | number }>`
    select region, utc_offset_hours from ${sql.table(ref('timezone_regions'))} order by utc_offset_hours`.execute(db);
  const regions = regionRows.rows.map((r) => ({ region: r.region, utcOffsetHours: Number(r.utc_offset_hours) }));
  // Seconds since UTC midnight, the fraction of a second dropped: 0 .. 86,399.
  const histogram = await sql<{ second_of_day: number; posts: string | number }>`
    select floor(extract(epoch from (created_at at time zone 'UTC')::time))::integer as second_of_day, count(*) as posts
    from ${sql.table(ref('bluesky_posts'))}
    where created_at is not null
    group by 1
    order by 1`.execute(db);
  const hours = histogram.rows.map((r) => r.second_of_day / 3600);
  const weights = histogram.rows.map((r) => Number(r.posts));
  return weightedKMeans(hours, weights, k).map(({ index, centerHour, weight }) => {
    const { region, confidence } = matchRegion(centerHour, regions);
    return { cluster_id: index, center_hour_utc: centerHour, post_count: weight, region, confidence };
  });
}
