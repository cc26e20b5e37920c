import type { CatalogEntry } from '../core/catalog.js';
import type { Relation } from '../core/nodes.js';
import { writeFileAtomic } from '../util/files.js';
import { TSDBT_VERSION } from '../version.js';
import type { ArtifactMetadata } from './manifest.js';
import type { ArtifactPaths } from './paths.js';

export const CATALOG_SCHEMA = 'https://tsdbt.dev/schemas/catalog/v1.json';

/** A node or source with the relation it was looked up by. */
export interface CatalogSubject {
  uniqueId: string;
  resourceType: string;
  relation: Relation;
}

/**
 * `target/catalog.json` in dbt's shape (nodes and sources by unique id, each with metadata, columns and stats), so
 * tools that read dbt's catalog read ours. Relations that do not exist yet are left out, as dbt does.
 */
export function writeCatalog(paths: ArtifactPaths, metadata: ArtifactMetadata, database: string, subjects: Array<CatalogSubject & { entry?: CatalogEntry }>): void {
  const section = (kind: 'source' | 'node') =>
    Object.fromEntries(
      subjects
        .filter((s) => s.entry !== undefined && (s.resourceType === 'source') === (kind === 'source'))
        .map(({ uniqueId, relation, entry }) => [
          uniqueId,
          {
            unique_id: uniqueId,
            metadata: { type: entry!.relationType, schema: relation.schema, name: relation.identifier, database },
            columns: Object.fromEntries(entry!.columns.map((column, index) => [column.name, { name: column.name, type: column.type, index: index + 1 }])),
            stats: {
              row_estimate: { id: 'row_estimate', label: 'Approximate rows', value: entry!.rowEstimate, include: entry!.rowEstimate !== null },
              bytes: { id: 'bytes', label: 'Size in bytes', value: entry!.bytes, include: entry!.bytes !== null },
            },
          },
        ]),
    );
  const catalog = {
    metadata: { tsdbt_schema_version: CATALOG_SCHEMA, tsdbt_version: TSDBT_VERSION, generated_at: metadata.generatedAt, invocation_id: metadata.invocationId,
      ...(metadata.environment !== undefined && { environment: metadata.environment }),
    },
    nodes: section('node'),
    sources: section('source'),
    errors: null,
  };
  writeFileAtomic(paths.file('catalog.json'), JSON.stringify(catalog));
}
