/**
 * The k-means of models/bluesky/activity_clusters.ts runs on a histogram (posts per second of the day); it must give
 * what a plain k-means of the posts one by one gives (test/helpers/plain-kmeans.ts, which shares no code with it).
 */
import { describe, expect, it } from 'vitest';
import { hourOf, matchRegion, weightedKMeans } from '../../models/bluesky/activity_clusters.js';
import { rngFor } from '../../scripts/generate-data/prng.js';
import { circularGap, plainKMeans } from '../helpers/plain-kmeans.js';

/** A seeded PRNG (the data generator's), so a failure can be reproduced. */
function random(seed: number): () => number {
  const rng = rngFor(seed, 'activity-clusters-test', 0);
  return () => rng.next();
}

/** Whole seconds of the day, drawn around a few busy hours so that many posts share a second. */
function postSeconds(rng: () => number, posts: number): number[] {
  const peaks = Array.from({ length: 1 + Math.floor(rng() * 5) }, () => rng() * 86_400);
  const seconds: number[] = [];
  for (let i = 0; i < posts; i++) {
    // Half the posts fall in a second some earlier post fell in.
    if (i > 0 && rng() < 0.5) seconds.push(seconds[Math.floor(rng() * i)]!);
    else if (rng() < 0.3) seconds.push(Math.floor(rng() * 86_400));
    else {
      const second = Math.floor(peaks[Math.floor(rng() * peaks.length)]! + (rng() - 0.5) * 4 * 3600);
      seconds.push(((second % 86_400) + 86_400) % 86_400);
    }
  }
  return seconds;
}

function histogram(seconds: number[]): { hours: number[]; weights: number[] } {
  const counts = new Map<number, number>();
  for (const s of seconds) counts.set(s, (counts.get(s) ?? 0) + 1);
  const keys = [...counts.keys()].sort((a, b) => a - b);
  return { hours: keys.map((s) => s / 3600), weights: keys.map((s) => counts.get(s)!) };
}

describe('activity_clusters: k-means of the weighted histogram', () => {
  const cases: Array<{ seed: number; posts: number; k: number }> = [
    { seed: 1, posts: 3000, k: 24 },
    { seed: 2, posts: 2000, k: 5 },
    { seed: 3, posts: 1500, k: 1 },
    { seed: 4, posts: 2500, k: 7 },
    { seed: 5, posts: 40, k: 24 },
    { seed: 6, posts: 2000, k: 48 },
    { seed: 7, posts: 1000, k: 2 },
    { seed: 8, posts: 3000, k: 12 },
  ];
  it.each(cases)('equals a plain k-means of the posts themselves (seed $seed, $posts posts, k = $k)', ({ seed, posts, k }) => {
    const seconds = postSeconds(random(seed), posts);
    const { hours, weights } = histogram(seconds);
    expect(hours.length, 'posts share seconds: the histogram is smaller').toBeLessThan(posts);
    const weighted = weightedKMeans(hours, weights, k);
    const plain = plainKMeans(seconds.map((s) => s / 3600), k);
    expect(weighted.map((c) => [c.index, c.weight])).toEqual(plain.map((c) => [c.index, c.count]));
    weighted.forEach((c, i) => expect(circularGap(c.centerHour, plain[i]!.centerHour)).toBeLessThan(1e-9));
    for (const c of weighted) expect(c.centerHour >= 0 && c.centerHour < 24).toBe(true);
    expect(weighted.reduce((s, c) => s + c.weight, 0)).toBe(posts);
  });

  it('drops the clusters left empty, keeping the others their initial centre index', () => {
    // Two busy seconds, at 01:00 and 13:00: of 8 centres (every 3 hours) only the nearest two get points.
    const clusters = weightedKMeans([1, 13], [10, 5], 8);
    expect(clusters.map((c) => [c.index, c.weight])).toEqual([[0, 10], [4, 5]]);
    expect(clusters[0]!.centerHour).toBeCloseTo(1, 12);
    expect(clusters[1]!.centerHour).toBeCloseTo(13, 12);
  });

  it('gives a point equally far from two centres to the lower index', () => {
    // 03:00 is half-way between the centres at 00:00 (index 0) and 06:00 (index 1) of k = 4.
    expect(weightedKMeans([3], [1], 4).map((c) => c.index)).toEqual([0]);
  });

  it('refuses a k that is not a positive integer', () => {
    expect(() => weightedKMeans([1], [1], 0)).toThrow(/positive integer/);
    expect(() => weightedKMeans([1], [1], 2.5)).toThrow(/positive integer/);
  });
});

describe('activity_clusters: hours and regions', () => {
  const regions = [
    { region: 'A', utcOffsetHours: -5 },
    { region: 'B', utcOffsetHours: 1 },
    { region: 'C', utcOffsetHours: 5.5 },
  ];
  it('maps atan2 to [0, 24)', () => {
    expect(hourOf(0, 1)).toBe(0);
    expect(hourOf(1, 0)).toBeCloseTo(6, 12);
    expect(hourOf(-1, 0)).toBeCloseTo(18, 12);
    expect(hourOf(-1e-17, 1)).toBe(0);
  });
  it('takes the most confident region whose local hour is within 9 to 17, the first on a tie, else Unknown', () => {
    // 12:00 UTC: A 07:00 (no), B 13:00 (1.0), C 17:30 (no).
    expect(matchRegion(12, regions)).toEqual({ region: 'B', confidence: 1 });
    // 16:00 UTC: A 11:00 (0.5), B 17:00 (0, matching), C 21:30 (no).
    expect(matchRegion(16, regions)).toEqual({ region: 'A', confidence: 0.5 });
    // 11:00 UTC: A 06:00 (no), B 12:00 (0.75), C 16:30 (0.125).
    expect(matchRegion(11, regions)).toEqual({ region: 'B', confidence: 0.75 });
    // A tie (B at 11:00 and 15:00 local): the first in order.
    expect(matchRegion(12, [{ region: 'X', utcOffsetHours: -1 }, { region: 'Y', utcOffsetHours: 3 }])).toEqual({ region: 'X', confidence: 0.5 });
    // 17:00 local exactly still matches, with confidence 0.
    expect(matchRegion(16, [{ region: 'B', utcOffsetHours: 1 }])).toEqual({ region: 'B', confidence: 0 });
    // 23:00 UTC + 1 wraps to 00:00 local.
    expect(matchRegion(23, [{ region: 'B', utcOffsetHours: 1 }])).toEqual({ region: 'Unknown', confidence: 0 });
    // 22:00 UTC + 12 = 10:00 local the next day.
    expect(matchRegion(22, [{ region: 'NZ', utcOffsetHours: 12 }])).toEqual({ region: 'NZ', confidence: 0.25 });
  });
});
