import { RETENTION_TEXT, retentionHours } from '../../config/project.js';
import { TsdbtError } from '../../core/errors.js';
import type { JanitorReport } from '../../environments/janitor.js';
import { lockOptions, type LockArgs } from '../options.js';
import { closeUnusedDatabase, createSessionReporter, openSession, withAdapter } from '../session.js';
import { projectSchemas, virtualEnvironmentsOf, writerLock } from '../virtual-environments.js';
import type { Command } from './command.js';

/** `tsdbt janitor`: drops the physical tables no environment has used for the retention, orphans, and abandoned environment schemas. */
export const janitorCommand: Command<LockArgs & { retention?: string; dryRun: boolean }> = {
  name: 'janitor',
  describe: "Drop virtual environments' physical tables that no environment has used for the retention, tables no version records, and dropped environments' empty schemas",
  examples: [
    ['tsdbt janitor --dry-run', 'what would be dropped, dropping nothing'],
    ['tsdbt janitor --retention 12h', 'drop tables unused for 12 hours (the project sets the default, 7 days unless it says)'],
  ],
  options: (yargs) =>
    lockOptions(yargs)
      .option('retention', { type: 'string', describe: 'Keep tables used within this long: a number of days, or 12h, 7d (default: virtual_environments.retention)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Say what would be dropped, and drop nothing' }),
  async run(args, io) {
    const reporter = createSessionReporter(args, io);
    const session = await openSession(args, reporter);
    try {
      const settings = virtualEnvironmentsOf(session, 'janitor');
      const hours = args.retention === undefined ? settings.retentionHours : parseRetention(args.retention);
      const { runJanitor } = await import('../../environments/janitor.js');
      const report = await withAdapter(session, async (adapter) =>
        runJanitor(adapter, { settings, projectSchemas: projectSchemas(session), retentionHours: hours, dryRun: args.dryRun, lock: await writerLock(adapter, 'janitor', args.lockTimeout, reporter) }),
      );
      for (const line of describeReport(report, args.dryRun)) reporter.info(line);
      for (const { relation, message } of report.failures) reporter.warn(`${relation} was left: ${message}`);
      return report.failures.length > 0 ? 1 : 0;
    } finally {
      await closeUnusedDatabase(session);
    }
  },
};

/** `--retention`: a number of days, or `12h`, `7d`, as the project file's `retention`. */
export function parseRetention(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text.trim())) return retentionHours(Number(text));
  if (RETENTION_TEXT.test(text.trim())) return retentionHours(text);
  throw new TsdbtError('usage', `--retention ${text}: not a retention`, { hint: 'a number of days, or hours or days such as 12h or 7d' });
}

function describeReport(report: JanitorReport, dryRun: boolean): string[] {
  const verb = dryRun ? 'Would drop' : 'Dropped';
  const lines = report.drops.map((drop) =>
    drop.lastUsed === undefined
      ? `${verb} ${drop.relation}: no version records it, so no plan can reuse it`
      : `${verb} ${drop.relation}: last used ${drop.lastUsed.toISOString()} (${drop.fingerprints.length === 1 ? `version ${drop.fingerprints[0]}` : `versions ${drop.fingerprints.join(', ')}`})`,
  );
  for (const [relation, readers] of report.pinned) lines.push(`Kept ${relation}, unused but read by ${readers.join(', ')}`);
  if (report.staleFingerprints.length > 0) lines.push(`${dryRun ? 'Would forget' : 'Forgot'} ${report.staleFingerprints.length} expired version(s) whose table was gone already`);
  for (const schema of report.schemas) lines.push(`${verb} schema ${schema}: no environment's views are in it any more`);
  for (const schema of report.keptSchemas) lines.push(`Kept schema ${schema}: no environment's views are in it, but something else is`);
  const count = `${report.drops.length} relation${report.drops.length === 1 ? '' : 's'} and ${report.schemas.length} schema${report.schemas.length === 1 ? '' : 's'}`;
  lines.push(`${dryRun ? `Would drop ${count}` : `Dropped ${count}`}; kept ${report.kept} physical relation${report.kept === 1 ? '' : 's'}`);
  return lines;
}
