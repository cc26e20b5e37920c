import yargs from 'yargs';
import pc from 'picocolors';
import { codeFrame, exitCodeFor, TsdbtError } from '../core/errors.js';
import { redact, registerSecretEnvironment } from '../redact.js';
import { isSecretEnvVar } from '../config/env-var.js';
import { TSDBT_VERSION } from '../version.js';
import { buildCommand, runCommand, seedCommand, snapshotCommand, testCommand } from './commands/run.js';
import { cleanCommand } from './commands/clean.js';
import { cloneCommand } from './commands/clone.js';
import { retryCommand } from './commands/retry.js';
import type { Command } from './commands/command.js';
import { compileCommand } from './commands/compile.js';
import { debugCommand } from './commands/debug.js';
import { docsCommand } from './commands/docs.js';
import { envCommand } from './commands/env.js';
import { importCommand } from './commands/import.js';
import { initCommand } from './commands/init.js';
import { janitorCommand } from './commands/janitor.js';
import { lineageCommand } from './commands/lineage.js';
import { lsCommand } from './commands/ls.js';
import { planCommand } from './commands/plan.js';
import { showCommand } from './commands/show.js';
import { sourceCommand } from './commands/source.js';
import { processIO, type CliIO } from './io.js';
import { globalOptions, type GlobalArgs } from './options.js';

const commands: Command<never>[] = [
  initCommand,
  importCommand,
  debugCommand,
  compileCommand,
  lsCommand,
  showCommand,
  runCommand,
  seedCommand,
  snapshotCommand,
  testCommand,
  buildCommand,
  planCommand,
  retryCommand,
  sourceCommand,
  docsCommand,
  lineageCommand,
  cloneCommand,
  envCommand,
  janitorCommand,
  cleanCommand,
] as Command<never>[];

/** Runs one invocation and returns its exit code: 0 success, 1 a node failed, 2 usage, config or compile error. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  registerSecretEnvironment(process.env, isSecretEnvVar);
  let pending: Promise<number> | undefined;
  let usageError: string | undefined;
  const parser = globalOptions(yargs(argv))
    .scriptName('tsdbt')
    .usage('tsdbt <command> [options]\n\nBuild SQL models templated with Handlebars into PostgreSQL or an embedded PGlite database.')
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      usageError = message ?? error?.message ?? 'invalid arguments';
      // Thrown, so yargs stops here: a command must never run on arguments it refused.
      throw new Error(usageError);
    })
    .demandCommand(1, 'name a command, such as: tsdbt build')
    .recommendCommands()
    .version(TSDBT_VERSION)
    .help()
    .alias('h', 'help')
    .alias('v', 'version')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue('Exit codes: 0 success, 1 a node failed, 2 usage, config or compile error, 130 interrupted.\nDocs: README.md; coming from dbt, the Jinja forms map to Handlebars helpers ({{ref "x"}}, {{config materialized="table"}}).');
  for (const command of commands) {
    parser.command(
      command.usage ?? command.name,
      command.describe,
      (y) => {
        const withOptions = command.options ? command.options(y as never) : y;
        for (const [example, description] of command.examples ?? []) withOptions.example(example, description);
        return withOptions as never;
      },
      (args) => {
        pending = command.run(args as unknown as GlobalArgs & never, io);
      },
    );
  }
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (error) {
    if (usageError === undefined) return reportError(error, io);
  }
  if (usageError !== undefined) {
    io.stderr(`${color(io).red('error:')} ${usageError}\nRun tsdbt --help for the commands and options.`);
    return 2;
  }
  try {
    return pending ? await pending : 0;
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * yargs lays out the whole help text after starting a command, to have it for a failure the command reports later
 * (tens of milliseconds at every start). tsdbt reports its failures itself and never prints that help, so the step is
 * skipped, through yargs' internal methods (pinned in the lockfile); were they to change, it simply runs again.
 */
function skipHelpCache(parser: object): void {
  const internal = parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => undefined;
}

function color(io: CliIO) {
  return pc.createColors(io.colors);
}

/** The one place errors become messages and exit codes. */
export function reportError(error: unknown, io: CliIO): number {
  const c = color(io);
  if (error instanceof TsdbtError) {
    const lines = [`${c.red('error:')} ${error.where ? `${error.where}: ` : ''}${error.message}`];
    if (error.source && error.location?.line) lines.push(codeFrame(error.source, error.location.line, error.location.column));
    if (error.hint) lines.push(`${c.cyan('hint:')} ${error.hint}`);
    io.stderr(redact(lines.join('\n')));
    return exitCodeFor(error);
  }
  const database = error as { code?: string; message?: string };
  if (typeof database.code === 'string' && /^[0-9A-Z]{5}$/.test(database.code)) {
    io.stderr(redact(`${c.red('error:')} database error ${database.code}: ${database.message}`));
    return 1;
  }
  io.stderr(redact(`${c.red('internal error:')} ${(error as Error)?.stack ?? String(error)}\nThis is a bug in tsdbt; please report it with the command you ran.`));
  return 2;
}
