import type { ResourceType } from '../../core/nodes.js';

/**
 * What selector methods read of a node. The CLI makes one from a parsed node and the docs site from its data, so both
 * evaluate the same methods on the same facts (selection/README.md).
 */
export interface SelectableNode {
  uniqueId: string;
  resourceType: ResourceType;
  /** A source's table name, not `source.table`. */
  name: string;
  packageName: string;
  /** dbt's fully qualified name: project, folders, name. */
  fqn: string[];
  /** Project-relative path of the file that defines it, with forward slashes. */
  path: string;
  tags: string[];
  /** The resolved config; a source's tags and meta, what `config.` can sensibly ask of it. */
  config: Record<string, unknown>;
  /** A source's source name. */
  sourceName?: string;
  /** A generic data test's test (`unique`); absent for singular tests. */
  testName?: string;
  /** The node a data test or unit test is declared on. */
  attachedNode?: string;
  /** sha256 of the file, for `state:`; absent for sources. */
  checksum?: string;
}
