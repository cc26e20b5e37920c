import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestBackend } from './backends.js';
import { makeProject, type TestProject } from './project.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT_ENTRIES = ['models', 'macros', 'seeds', 'tests', 'snapshots'];

/** The schemas the example project writes (target schema public): every relation of its pipelines is in one of them. */
export const EXAMPLE_SCHEMAS = ['raw', 'public', 'lookup', 'incremental', 'analysis', 'public_test_failures'] as const;

/** Columns of the example's relations that hold the time of the run that wrote them (loaders' and models' now()). */
export const EXAMPLE_RUN_TIME_COLUMNS = ['_loaded_at', 'updated_at'] as const;

/** The repository's own project, as a fresh clone has it, under the test profile, with target schema public. */
export function makeExampleProject(backend: TestBackend): TestProject {
  const projectFile = readFileSync(join(repo, 'tsdbt_project.yml'), 'utf8').replace(/^profile: .*$/m, 'profile: test');
  const project = makeProject({ 'tsdbt_project.yml': projectFile }, backend, 'public');
  for (const entry of PROJECT_ENTRIES) cpSync(join(repo, entry), join(project.dir, entry), { recursive: true });
  return project;
}
