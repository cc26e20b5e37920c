import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds each test file took, by path from the repository root: written by scripts/file-durations.ts. */
const DURATIONS_FILE = new URL('file-durations.json', import.meta.url);

/**
 * Starts the longest test files first, so that the last minutes do not see one long file running alone while the
 * other workers are idle. The durations are committed (test/file-durations.json) rather than vitest's own cache,
 * which a fresh checkout or `npm ci` does not have. A file without a recorded duration counts as the longest: new
 * files are often integration tests.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const durations = JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
    const root = this.ctx.config.root;
    const duration = (spec: TestSpecification) => durations[relative(root, spec.moduleId)] ?? Number.MAX_SAFE_INTEGER;
    return [...files].sort((a, b) => duration(b) - duration(a));
  }
}
