import { createHash } from 'node:crypto';

/** What every node read from a file has alike: its package, its source and checksum, and no parents until the graph resolves them. */
export function commonNodeFields(projectName: string, rawCode: string) {
  return { packageName: projectName, rawCode, checksum: createHash('sha256').update(rawCode).digest('hex'), dependsOn: [] as string[] };
}
