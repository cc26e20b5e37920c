import { copyFileSync, cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * A copy of the built CLI (bin/, dist/ and package.json, as `npm run build` left them) for one chaos run: other work
 * rebuilds dist/ at any moment, and a trial that met a half-written dist/ would report a crash that is none. The copy
 * lives in the run's temporary folder, never in the repository (which may be read-only, and a killed suite must leave
 * nothing there); a `node_modules` link beside it resolves the packages dist/ leaves outside its bundle, as Node
 * resolves them from the copy's own path.
 */
export class FrozenCli {
  /** Aborted when the suite stops early: every run still going is SIGKILLed, so none writes into folders being removed. */
  readonly stopping = new AbortController();

  /** The copy in `dir`, made by `copyTo`. */
  constructor(readonly dir: string) {}

  static copyTo(dir: string): FrozenCli {
    mkdirSync(dir, { recursive: true });
    cpSync(join(REPO, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(REPO, 'bin'), join(dir, 'bin'), { recursive: true });
    copyFileSync(join(REPO, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'junction');
    return new FrozenCli(dir);
  }

  /** The script to run with node, as bin/tsdbt.js. */
  get script(): string {
    return join(this.dir, 'bin/tsdbt.js');
  }

  /** Kills the runs still going and deletes the copy (the link only, never what it points at). */
  remove(): void {
    this.stopping.abort();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
