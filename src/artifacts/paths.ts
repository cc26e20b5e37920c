import { dirname, join } from 'node:path';
import type { Project } from '../config/project.js';
import type { GraphNode } from '../core/nodes.js';
import { joinPlain } from '../util/files.js';

/** Where artifacts go, as in dbt: target/manifest.json, target/compiled/<project>/<file>, target/run/<project>/<file>. */
export class ArtifactPaths {
  constructor(private readonly project: Project) {}

  get targetDir(): string {
    return join(this.project.root, this.project.targetPath);
  }

  file(name: string): string {
    return join(this.targetDir, name);
  }

  /** Relative to the project root, as manifests store it. */
  compiledRelative(originalFilePath: string): string {
    return joinPlain(join(this.project.targetPath, 'compiled', this.project.name), originalFilePath);
  }

  runRelative(originalFilePath: string): string {
    return joinPlain(join(this.project.targetPath, 'run', this.project.name), originalFilePath);
  }

  /** target/compiled, target/run or target/docs, absolute. */
  folder(kind: 'compiled' | 'run' | 'docs'): string {
    return join(this.targetDir, kind);
  }

  absolute(relative: string): string {
    return joinPlain(this.project.root, relative);
  }
}

/**
 * Where a node's compiled SQL goes, relative to target/compiled/<project>/: a SQL file's own path; a node declared in
 * YAML (a generic test, a YAML snapshot) or written in TypeScript, `<its folder>/<name>.sql`; a unit test, under its
 * model's name, as two models may have tests of the same name.
 */
export function compiledFileOf(node: GraphNode): string {
  if (node.originalFilePath.endsWith('.sql')) return node.originalFilePath;
  const folder = dirname(node.originalFilePath);
  const model = node.resourceType === 'unit_test' ? `${node.test.attachedNode.split('.').at(-1)}/` : '';
  // A generic test's name can be long; its relation's name is dbt's short one.
  const name = node.resourceType === 'test' ? node.relation.identifier : node.name;
  return `${folder === '.' ? '' : `${folder}/`}${model}${name}.sql`;
}
