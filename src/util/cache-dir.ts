import { homedir } from 'node:os';
import { join } from 'node:path';

/** tsdbt's cache folder on this machine (PGlite templates, the CLI's code cache): TSDBT_CACHE_DIR, else $XDG_CACHE_HOME/tsdbt, else ~/.cache/tsdbt. */
export function tsdbtCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TSDBT_CACHE_DIR) return env.TSDBT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tsdbt');
}
