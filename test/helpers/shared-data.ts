import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A path under the workplace's shared data (`../shared/data` beside the repository, as the issues place it), or
 * TSDBT_SHARED_DATA, or the workplace's own copy, so a checkout elsewhere on this machine finds it too.
 */
export function sharedData(path: string): string {
  const candidates = [process.env.TSDBT_SHARED_DATA ?? join(REPO, '../shared/data'), '/work/shared/data'].map((data) => join(data, path));
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}
