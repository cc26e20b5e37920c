import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * A copy of the built CLI (bin/ and dist/, as `npm run build` left them) for one chaos run: other work rebuilds dist/
 * at any moment, and a trial that met a half-written dist/ would report a crash that is none. The copy lives under
 * the repository's node_modules/.cache so that the packages dist/ leaves outside its bundle resolve as from dist/.
 */
export class FrozenCli {
  private readonly dir = join(REPO, 'node_modules/.cache/tsdbt-chaos-cli', String(process.pid));
  /** Aborted when the suite stops early: every run still going is SIGKILLed, so none writes into folders being removed. */
  readonly stopping = new AbortController();

  constructor() {
    cpSync(join(REPO, 'dist'), join(this.dir, 'dist'), { recursive: true });
    cpSync(join(REPO, 'bin'), join(this.dir, 'bin'), { recursive: true });
  }

  /** The script to run with node, as bin/tsdbt.js. */
  get script(): string {
    return join(this.dir, 'bin/tsdbt.js');
  }

  /** Kills the runs still going and deletes the copy. */
  remove(): void {
    this.stopping.abort();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
