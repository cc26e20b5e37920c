import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TsdbtError } from '../../core/errors.js';
import { importDbtProject } from '../../importers/dbt/import-project.js';
import { REPORT_FILE, reportText } from '../../importers/dbt/import-report.js';
import type { Command } from './command.js';

interface ImportArgs {
  kind: 'dbt';
  src: string;
  dest?: string;
  check: boolean;
  force: boolean;
}

/** `tsdbt import dbt SRC [DEST]`: a dbt project as a tsdbt project, and what could not be translated. */
export const importCommand: Command<ImportArgs> = {
  name: 'import',
  usage: 'import <kind> <src> [dest]',
  describe: 'Convert a dbt project into a tsdbt project (Jinja to Handlebars, dbt_project.yml to tsdbt_project.yml), listing what could not be translated; exit 1 when something was left',
  examples: [
    ['tsdbt import dbt ../jaffle_shop', 'write the tsdbt project into ../jaffle_shop-tsdbt'],
    ['tsdbt import dbt ../jaffle_shop shop && cd shop && tsdbt build', 'import, then build it'],
    ['tsdbt import dbt ../jaffle_shop --check', 'only report what could not be translated; write nothing'],
  ],
  options: (yargs) =>
    yargs
      .positional('kind', { choices: ['dbt'] as const, describe: 'What the project is' })
      .positional('src', { type: 'string', describe: 'The dbt project folder (holding dbt_project.yml)' })
      .positional('dest', { type: 'string', describe: 'The folder to write the tsdbt project into (default: SRC-tsdbt beside SRC)' })
      .option('check', { type: 'boolean', default: false, describe: 'Report what could not be translated without writing anything' })
      .option('force', { type: 'boolean', default: false, describe: 'Write into DEST even if it holds files of something other than an earlier import' }) as never,
  async run(args, io) {
    const source = resolve(String(args.src));
    const destination = resolve(args.dest ?? join(dirname(source), `${basename(source)}-tsdbt`));
    if (destination === source) throw new TsdbtError('usage', 'DEST is the dbt project itself', { hint: 'import into another folder: tsdbt import dbt SRC DEST' });
    if (!args.check && !args.force && existsSync(destination) && readdirSync(destination).length > 0 && !existsSync(join(destination, REPORT_FILE))) {
      throw new TsdbtError('usage', `${destination} already exists and is not an earlier import`, { hint: 'name an empty or new folder as DEST, or pass --force to write into it' });
    }
    const report = importDbtProject({ source, destination, check: args.check });
    if (args.logFormat === 'json') io.stdout(JSON.stringify(report));
    else for (const line of reportText(report, args.check)) io.stdout(line);
    return report.left.length > 0 ? 1 : 0;
  },
};
