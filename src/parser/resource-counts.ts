import { NODE_KINDS, RESOURCE_KINDS } from '../core/node-kinds.js';
import type { ResourceCounts } from '../core/reporter.js';
import type { ParsedProject } from './project-parser.js';

/** Counts the enabled resources of a parsed project and its macros; kinds it has none of are left out. */
export function countResources(parsed: ParsedProject): ResourceCounts {
  const byType = new Map<string, number>();
  for (const node of parsed.nodes.values()) byType.set(node.resourceType, (byType.get(node.resourceType) ?? 0) + 1);
  const { partials, helpers } = parsed.env.macros;
  const counts: ResourceCounts = [
    ...NODE_KINDS.map((kind) => ({ singular: RESOURCE_KINDS[kind].singular, plural: RESOURCE_KINDS[kind].plural, count: byType.get(kind) ?? 0 })),
    { singular: RESOURCE_KINDS.source.singular, plural: RESOURCE_KINDS.source.plural, count: parsed.sources.size },
    { singular: 'macro', plural: 'macros', count: partials.size + helpers.size },
  ];
  return counts.filter(({ count }) => count > 0);
}

/** `Found 36 models, 9 seeds, 90 data tests, 3 unit tests, 4 sources`. */
export function describeResourceCounts(counts: ResourceCounts): string {
  if (counts.length === 0) return 'Found nothing to build: no models, seeds, snapshots or tests';
  return `Found ${counts.map(({ singular, plural, count }) => `${count} ${count === 1 ? singular : plural}`).join(', ')}`;
}
