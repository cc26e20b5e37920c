import { TsdbtError } from '../../core/errors.js';
import { diffEnvironments, dropEnvironment, summarizeEnvironments, viewsOfEnvironment, type EnvironmentDiff, type NodeVersion } from '../../environments/environments.js';
import { readEnvironmentState } from '../../environments/housekeeping.js';
import { lockOptions, type LockArgs } from '../options.js';
import { closeUnusedDatabase, createSessionReporter, openSession, withAdapter, type Session } from '../session.js';
import { virtualEnvironmentsOf, writerLock } from '../virtual-environments.js';
import type { CliIO } from '../io.js';
import type { Command } from './command.js';

type EnvArgs = LockArgs & { action: 'ls' | 'diff' | 'drop'; names?: string[]; output: 'text' | 'json'; force: boolean };

const NAMES_TAKEN = { ls: 0, diff: 2, drop: 1 } as const;
const USAGE = { ls: 'tsdbt env ls', diff: 'tsdbt env diff A B', drop: 'tsdbt env drop NAME' } as const;

/** `tsdbt env ls|diff|drop`: the virtual environments, what tells two apart, and dropping one. */
export const envCommand: Command<EnvArgs> = {
  name: 'env',
  usage: 'env <action> [names..]',
  describe: 'List the virtual environments (ls), compare two (diff A B), or drop one (drop NAME)',
  examples: [
    ['tsdbt env ls', 'each environment: its views, when it was last promoted, the default marked'],
    ['tsdbt env diff dev prod', 'the nodes only one has, and those on different versions'],
    ['tsdbt env drop dev', "dev's views in one transaction, then its schemas if nothing else is in them"],
  ],
  options: (yargs) =>
    lockOptions(yargs)
      .positional('action', { choices: ['ls', 'diff', 'drop'] as const, describe: 'What to do' })
      .positional('names', { type: 'string', array: true, describe: 'The environments: two for diff, one for drop' })
      .option('output', { alias: 'o', choices: ['text', 'json'] as const, default: 'text' as const, describe: 'json: one JSON document (ls and diff)' })
      .option('force', { type: 'boolean', default: false, describe: 'drop: the default environment too' }) as never,
  async run(args, io) {
    const names = args.names ?? [];
    if (names.length !== NAMES_TAKEN[args.action]) throw new TsdbtError('usage', `tsdbt env ${args.action} takes ${NAMES_TAKEN[args.action] || 'no'} environment name${NAMES_TAKEN[args.action] === 1 ? '' : 's'}, not ${names.length}`, { hint: `usage: ${USAGE[args.action]}` });
    const reporter = createSessionReporter(args, io);
    const session = await openSession(args, reporter);
    try {
      const settings = virtualEnvironmentsOf(session, `env ${args.action}`);
      if (args.action === 'drop') {
        const dropped = await withAdapter(session, async (adapter) =>
          dropEnvironment(adapter, settings, names[0]!, { force: args.force, lock: await writerLock(adapter, 'env drop', args.lockTimeout, reporter) }),
        );
        reporter.info(`Dropped environment ${names[0]}: ${dropped.views.length} view${dropped.views.length === 1 ? '' : 's'}${dropped.schemas.length > 0 ? `, schema${dropped.schemas.length === 1 ? '' : 's'} ${dropped.schemas.join(', ')}` : ''}`);
        for (const schema of dropped.keptSchemas) reporter.info(`Kept schema ${schema}: something else is in it`);
        reporter.info('Its physical tables stay until tsdbt janitor finds them unused for the retention');
        return 0;
      }
      const state = await readState(session);
      if (args.action === 'ls') printEnvironments(io, args.output, summarizeEnvironments(state.views, settings.defaultEnvironment));
      else printDiff(io, args.output, names[0]!, names[1]!, diffEnvironments(viewsOfEnvironment(state.views, names[0]!), viewsOfEnvironment(state.views, names[1]!), state.versions));
      return 0;
    } finally {
      await closeUnusedDatabase(session);
    }
  },
};

function readState(session: Session) {
  return withAdapter(session, (adapter) => adapter.withConnection(readEnvironmentState));
}

function printEnvironments(io: CliIO, output: 'text' | 'json', environments: ReturnType<typeof summarizeEnvironments>): void {
  if (output === 'json') {
    io.stdout(JSON.stringify(environments.map((env) => ({ name: env.name, default: env.isDefault, views: env.views, last_promoted: env.lastPromoted.toISOString(), schemas: env.schemas }))));
    return;
  }
  if (environments.length === 0) {
    io.stdout('No environment has been promoted yet');
    return;
  }
  for (const env of environments) {
    io.stdout(`${env.name}${env.isDefault ? ' (default)' : ''}: ${env.views} view${env.views === 1 ? '' : 's'} in ${env.schemas.join(', ')}, last promoted ${env.lastPromoted.toISOString()}`);
  }
}

function printDiff(io: CliIO, output: 'text' | 'json', a: string, b: string, diff: EnvironmentDiff): void {
  const same = diff.onlyInA.length + diff.onlyInB.length + diff.different.length === 0;
  if (output === 'json') {
    const version = (v: NodeVersion) => ({ fingerprint: v.fingerprint, physical: v.physical ?? null });
    const only = (rows: EnvironmentDiff['onlyInA']) => rows.map((row) => ({ unique_id: row.uniqueId, ...version(row) }));
    io.stdout(
      JSON.stringify({
        a,
        b,
        same,
        only_in_a: only(diff.onlyInA),
        only_in_b: only(diff.onlyInB),
        different: diff.different.map((row) => ({ unique_id: row.uniqueId, a: version(row.a), b: version(row.b) })),
      }),
    );
    return;
  }
  if (same) {
    io.stdout(`${a} and ${b} are the same: every node on the same version`);
    return;
  }
  const version = (v: NodeVersion) => `${v.fingerprint} (${v.physical ?? 'no version recorded'})`;
  const lines: string[] = [];
  if (diff.onlyInA.length > 0) lines.push(`Only in ${a}:`, ...diff.onlyInA.map((row) => `  ${row.uniqueId} ${version(row)}`));
  if (diff.onlyInB.length > 0) lines.push(`Only in ${b}:`, ...diff.onlyInB.map((row) => `  ${row.uniqueId} ${version(row)}`));
  if (diff.different.length > 0) lines.push(`On different versions:`, ...diff.different.map((row) => `  ${row.uniqueId}\n    ${a}: ${version(row.a)}\n    ${b}: ${version(row.b)}`));
  io.stdout(lines.join('\n'));
}
