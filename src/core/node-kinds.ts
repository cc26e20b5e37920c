import type { NodeKind, ResourceType } from './nodes.js';

/**
 * What the parser, graph, commands, artifacts and docs need to know about a kind of resource, asked here instead of
 * comparing `resourceType` with a string. A new kind of node is a type in nodes.ts, an entry here, and its runner in
 * runner/run-task.ts; the `Record`s make a missing entry a compile error.
 */
export interface ResourceKind {
  /** How counts and output name it: `data test`, `data tests`. */
  singular: string;
  plural: string;
  /** A test of other nodes: never read by ref, selected with what it tests, run by `tsdbt test`. */
  isTest: boolean;
  /** `ref('name')` may name it; lineage's MODEL.COLUMN too. */
  referable: boolean;
  /** Selected by a selection that names nothing: sources are inputs, not work, so only an explicit selector picks them. */
  selectedByDefault: boolean;
  /** Its own SQL is what `compile` writes under target/compiled/. */
  compiled: boolean;
  /** Whether a run creates its relation: always, only with `store_failures` (a data test), or never. */
  createsRelation: 'always' | 'store_failures' | 'never';
  /** What `test_type:` calls it. */
  testType?: 'data' | 'unit';
}

export const RESOURCE_KINDS: { readonly [K in ResourceType]: ResourceKind } = {
  model: { singular: 'model', plural: 'models', isTest: false, referable: true, selectedByDefault: true, compiled: true, createsRelation: 'always' },
  seed: { singular: 'seed', plural: 'seeds', isTest: false, referable: true, selectedByDefault: true, compiled: false, createsRelation: 'always' },
  snapshot: { singular: 'snapshot', plural: 'snapshots', isTest: false, referable: true, selectedByDefault: true, compiled: true, createsRelation: 'always' },
  test: {
    singular: 'data test',
    plural: 'data tests',
    isTest: true,
    referable: false,
    selectedByDefault: true,
    compiled: true,
    createsRelation: 'store_failures',
    testType: 'data',
  },
  unit_test: {
    singular: 'unit test',
    plural: 'unit tests',
    isTest: true,
    referable: false,
    selectedByDefault: true,
    compiled: false,
    createsRelation: 'never',
    testType: 'unit',
  },
  source: { singular: 'source', plural: 'sources', isTest: false, referable: false, selectedByDefault: false, compiled: false, createsRelation: 'always' },
};

/** The kinds of node, in the order a project's counts list them. */
export const NODE_KINDS: readonly NodeKind[] = ['model', 'snapshot', 'seed', 'test', 'unit_test'];

/** Whether a node, of the project or of the docs data, is a data test or a unit test. */
export function isTest(node: { resourceType: ResourceType }): boolean {
  return RESOURCE_KINDS[node.resourceType].isTest;
}
