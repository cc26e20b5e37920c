import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrozenCli } from '../../chaos/frozen-cli.js';
import { makeProject, spawnCli } from '../helpers/project.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

/** A copy of the built CLI without a code cache yet (the other tests' runs fill dist/code-cache). */
function cliWithoutCodeCache(): { script: string; cacheDir: string } {
  const cli = FrozenCli.copyTo(join(temporaryDir('tsdbt-cli-'), 'cli'));
  const cacheDir = join(cli.dir, 'dist', 'code-cache');
  rmSync(cacheDir, { recursive: true, force: true });
  return { script: cli.script, cacheDir };
}

describe('the code cache of the bundled CLI (src/cli/bundle-loader.ts)', () => {
  it("is written after a command's first run, and a later run from it imports PGlite, which the first never did", async () => {
    const { script, cacheDir } = cliWithoutCodeCache();
    const project = makeProject({ 'models/a.sql': 'select 1 as id' });
    // Help only: show's cache then holds none of the embedded database's code, which is compiled after the cache is read.
    expect((await spawnCli(['show', '--help'], { cli: script })).code).toBe(0);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('-show.bin'))).toHaveLength(1);
    const shown = await spawnCli(['show', '--inline', 'select 41 + 1 as answer', '--project-dir', project.dir], { cli: script });
    expect(shown.stderr).not.toMatch(/dynamic import|ExperimentalWarning/);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('42');
  });
});
