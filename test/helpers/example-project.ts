import type { TestBackend } from './backends.js';
import { copyExampleProject } from './example-files.js';
import { makeProject, type TestProject } from './project.js';

/** The repository's own project, as a fresh clone has it, under the test profile, with target schema public. */
export function makeExampleProject(backend: TestBackend): TestProject {
  const project = makeProject({}, backend, 'public');
  copyExampleProject(project.dir, 'test');
  return project;
}
