import { rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadProject } from '../../config/project.js';
import { TsdbtError } from '../../errors.js';
import type { Command } from './command.js';

export const cleanCommand: Command = {
  name: 'clean',
  describe: 'Delete the folders named in clean-targets (target/ by default)',
  examples: [['tsdbt clean', 'remove target/']],
  async run(args, io) {
    const project = loadProject(args.projectDir);
    for (const entry of project.cleanTargets) {
      const path = resolve(project.root, entry);
      const inside = relative(project.root, path);
      // Only ever below the project: a clean-targets entry of ".." or "/" must not delete anything else.
      if (inside === '' || inside.startsWith('..') || resolve(inside) === inside) {
        throw new TsdbtError('config', `clean-targets entry '${entry}' is not a folder inside the project`, { location: { file: 'tsdbt_project.yml' } });
      }
      rmSync(path, { recursive: true, force: true });
      io.stdout(`removed ${inside}`);
    }
    return 0;
  },
};
