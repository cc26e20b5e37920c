import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DBT_PROJECT_FILE, PROJECT_FILE } from '../../config/project.js';
import { TsdbtError } from '../../core/errors.js';
import { writeFileAtomic } from '../../util/files.js';
import type { Command } from './command.js';

export const initCommand: Command<{ name: string; force: boolean }> = {
  name: 'init',
  usage: 'init <name>',
  describe: 'Create a new project folder with example models and an embedded PGlite profile',
  examples: [['tsdbt init shop && cd shop && tsdbt build', 'a working project in one line']],
  options: (yargs) =>
    yargs
      .positional('name', { type: 'string', describe: 'Project (and folder) name' })
      .option('force', { type: 'boolean', default: false, describe: 'Create the project even inside another project\'s folder' }) as never,
  async run(args, io) {
    const name = String(args.name);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TsdbtError('usage', `'${name}' is not a valid project name`, { hint: 'letters, digits and underscores, not starting with a digit' });
    }
    const dir = resolve(name);
    const enclosing = enclosingProjectFile(dirname(dir));
    if (enclosing && !args.force) {
      throw new TsdbtError('usage', `${dir} would be inside the project of ${enclosing}`, {
        hint: 'run tsdbt init outside that project, or pass --force to nest a project in it',
      });
    }
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new TsdbtError('usage', `${dir} already exists and is not empty`);
    for (const [file, content] of Object.entries(scaffold(name))) writeFileAtomic(join(dir, file), content);
    io.stdout(`Created project '${name}' in ${dir}.\nNext: cd ${name} && tsdbt build`);
    return 0;
  },
};

/** The project file (tsdbt's, or dbt's) of the project `dir` lies in, if any: `dir` itself or a folder above it. */
function enclosingProjectFile(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const found = [PROJECT_FILE, DBT_PROJECT_FILE].map((name) => join(current, name)).find((path) => existsSync(path));
    if (found) return found;
    if (dirname(current) === current) return undefined;
  }
}

function scaffold(name: string): Record<string, string> {
  return {
    'tsdbt_project.yml': `name: ${name}\nprofile: ${name}\n\nmodel-paths: [models]\nseed-paths: [seeds]\nmacro-paths: [macros]\ntest-paths: [tests]\n\nmodels:\n  ${name}:\n    +materialized: view\n    example:\n      +tags: [example]\n`,
    'profiles.yml': `${name}:\n  target: dev\n  outputs:\n    dev:\n      type: pglite\n      path: .tsdbt/pglite\n      schema: public\n`,
    'models/example/my_first_model.sql': `{{config materialized="table"}}\n\nselect 1 as id, 'first' as label\nunion all\nselect 2, 'second'\n`,
    'models/example/my_second_model.sql': `select id, upper(label) as label\nfrom {{ref "my_first_model"}}\nwhere id = 1\n`,
    'models/example/schema.yml': `version: 2\n\nmodels:\n  - name: my_first_model\n    description: A starter table.\n    columns:\n      - name: id\n        description: The primary key.\n  - name: my_second_model\n    description: A view reading the table.\n`,
    'macros/.gitkeep': '',
    'seeds/.gitkeep': '',
    'tests/.gitkeep': '',
    '.gitignore': 'target/\n.tsdbt/\n',
  };
}
