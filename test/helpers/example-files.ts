import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT_ENTRIES = ['models', 'macros', 'seeds', 'tests', 'snapshots'];

/** The schemas the example project writes (target schema public): every relation of its pipelines is in one of them. */
export const EXAMPLE_SCHEMAS = ['raw', 'public', 'lookup', 'incremental', 'analysis', 'public_test_failures'] as const;

/** Columns of the example's relations that hold the time of the run that wrote them (loaders' and models' now()). */
export const EXAMPLE_RUN_TIME_COLUMNS = ['_loaded_at', 'updated_at'] as const;

/** Copies the repository's own project, as a fresh clone has it, into `dir`, its project file naming profile `profile`. */
export function copyExampleProject(dir: string, profile: string): void {
  const projectFile = readFileSync(join(repo, 'tsdbt_project.yml'), 'utf8').replace(/^profile: .*$/m, `profile: ${profile}`);
  writeFileSync(join(dir, 'tsdbt_project.yml'), projectFile);
  for (const entry of PROJECT_ENTRIES) cpSync(join(repo, entry), join(dir, entry), { recursive: true });
}
