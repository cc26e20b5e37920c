import { existsSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadProject } from '../../config/project.js';
import { TsdbtError } from '../../core/errors.js';
import type { Command } from './command.js';

export const cleanCommand: Command = {
  name: 'clean',
  describe: 'Delete the folders named in clean-targets (target/ by default), naming each one removed',
  examples: [['tsdbt clean', 'remove target/']],
  async run(args, io) {
    const project = loadProject(args.projectDir);
    const absent: string[] = [];
    for (const entry of project.cleanTargets) {
      const path = resolve(project.root, entry);
      const inside = relative(project.root, path);
      // Only ever below the project: a clean-targets entry of ".." or "/" must not delete anything else.
      if (inside === '' || inside.startsWith('..') || resolve(inside) === inside) {
        throw new TsdbtError('config', `clean-targets entry '${entry}' is not a folder inside the project`, { location: { file: project.file.path } });
      }
      if (!existsSync(path)) {
        absent.push(inside);
        continue;
      }
      rmSync(path, { recursive: true, force: true });
      io.stdout(`removed ${inside}`);
    }
    if (absent.length === project.cleanTargets.length) io.stdout(`Nothing to clean: ${absent.join(', ')} ${absent.length === 1 ? 'does' : 'do'} not exist`);
    return 0;
  },
};
