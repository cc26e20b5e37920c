import { hash } from 'node:crypto';
import type { NodeConfig } from '../core/node-config.js';
import type { ModelPatch } from './property-files.js';

/**
 * What every node read from a file has alike: its package, its source and checksum, and no parents until the graph
 * resolves them. The one-shot `hash` costs a third of a Hash object's, which on 10,000 models shows.
 */
export function commonNodeFields(projectName: string, rawCode: string) {
  return { packageName: projectName, rawCode, checksum: hash('sha256', rawCode), dependsOn: [] as string[] };
}

/** What a node read from a file of its own (a model, a snapshot) takes from that file and the property file entry that describes it. */
export function fileNodeFields(projectName: string, file: string, rawCode: string, fqn: string[], config: NodeConfig, patch: ModelPatch | undefined) {
  return {
    packageName: projectName,
    rawCode,
    checksum: hash('sha256', rawCode),
    dependsOn: [] as string[],
    originalFilePath: file,
    fqn,
    config,
    description: patch?.description ?? '',
    columns: patch?.columns ?? {},
    patchPath: patch?.file,
  };
}
