import type { Point } from '../layout/layout-types.js';

/** An SVG path through dagre's edge points as a uniform B-spline (d3's curveBasis): smooth, and through both ends. */
export function basisPath(points: Point[]): string {
  const [first, second] = points;
  if (!first) return '';
  if (!second || points.length === 2) return `M${first.x},${first.y}L${(second ?? first).x},${(second ?? first).y}`;
  const parts = [`M${first.x},${first.y}`, `L${(5 * first.x + second.x) / 6},${(5 * first.y + second.y) / 6}`];
  let [a, b] = [first, second];
  for (const c of [...points.slice(2), points[points.length - 1] as Point]) {
    parts.push(
      `C${(2 * a.x + b.x) / 3},${(2 * a.y + b.y) / 3},${(a.x + 2 * b.x) / 3},${(a.y + 2 * b.y) / 3},${(a.x + 4 * b.x + c.x) / 6},${(a.y + 4 * b.y + c.y) / 6}`,
    );
    [a, b] = [b, c];
  }
  parts.push(`L${b.x},${b.y}`);
  return parts.join('');
}
