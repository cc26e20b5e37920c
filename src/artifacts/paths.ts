import { join } from 'node:path';
import type { Project } from '../config/project.js';

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
    return join(this.project.targetPath, 'compiled', this.project.name, originalFilePath);
  }

  runRelative(originalFilePath: string): string {
    return join(this.project.targetPath, 'run', this.project.name, originalFilePath);
  }

  /** target/compiled or target/run, absolute. */
  folder(kind: 'compiled' | 'run'): string {
    return join(this.targetDir, kind);
  }

  absolute(relative: string): string {
    return join(this.project.root, relative);
  }
}
