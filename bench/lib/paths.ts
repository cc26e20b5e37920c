/** Where the repository, the generated projects and the results live. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WORK_DIR = join(REPO_ROOT, 'bench', '.work');
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
/** The CLI under test; TSDBT_BENCH_CLI overrides it (e.g. to benchmark another build). */
export const DEFAULT_CLI_PATH = join(REPO_ROOT, 'bin', 'tsdbt.js');
export const CLI_PATH = process.env.TSDBT_BENCH_CLI ?? DEFAULT_CLI_PATH;
