/** How the benchmarks invoke the tsdbt CLI: `node <repo>/bin/tsdbt.js <command> --project-dir DIR [...]`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CommandFailed, runChecked, TIME_BIN, type Command } from './measure.js';
import { CLI_PATH, DEFAULT_CLI_PATH, REPO_ROOT } from './paths.js';

export interface CliOptions {
  profilesDir?: string;
  threads?: number;
  /** `-s`: a node selection. */
  select?: string;
  /** `--exclude`: nodes to leave out, same syntax as `-s`. */
  exclude?: string;
  fullRefresh?: boolean;
  /** `--event-time-start` / `--event-time-end`: a microbatch backfill of exactly this range. */
  eventTimeStart?: string;
  eventTimeEnd?: string;
  /** `--log-format json`: events a benchmark can read as they arrive. */
  logFormat?: 'json';
  /** `--env`: the virtual environment a plan is for. */
  environment?: string;
  /** `--auto-apply`: a plan applied without asking. */
  autoApply?: boolean;
  /** `--log-sql`: the file every statement sent to the database is appended to. */
  logSql?: string;
  /** Added to the CLI's environment. */
  env?: Readonly<Record<string, string>>;
}

/** A command and its sub-command, if any (`docs generate`). */
export type CliCommand = 'compile' | 'ls' | 'ls --no-partial-parse' | 'run' | 'seed' | 'debug' | 'build' | 'plan' | 'docs generate';

export function tsdbtCommand(command: CliCommand, projectDir: string, options: CliOptions = {}): Command {
  const args = [CLI_PATH, ...command.split(' '), '--project-dir', projectDir];
  if (options.profilesDir !== undefined) args.push('--profiles-dir', options.profilesDir);
  if (options.threads !== undefined) args.push('--threads', String(options.threads));
  if (options.select !== undefined) args.push('-s', options.select);
  if (options.exclude !== undefined) args.push('--exclude', options.exclude);
  if (options.fullRefresh) args.push('--full-refresh');
  if (options.eventTimeStart !== undefined) args.push('--event-time-start', options.eventTimeStart);
  if (options.eventTimeEnd !== undefined) args.push('--event-time-end', options.eventTimeEnd);
  if (options.logFormat !== undefined) args.push('--log-format', options.logFormat);
  if (options.environment !== undefined) args.push('--env', options.environment);
  if (options.autoApply) args.push('--auto-apply');
  if (options.logSql !== undefined) args.push('--log-sql', options.logSql);
  return { command: process.execPath, args, cwd: projectDir, env: options.env };
}

/** Fails early, with the CLI's own stderr, when the tools the benchmarks need are missing. */
export function preflight(): string {
  if (!existsSync(TIME_BIN)) throw new Error(`${TIME_BIN} (GNU time) is required to measure wall time and peak memory`);
  try {
    return runChecked({ command: process.execPath, args: [CLI_PATH, '--version'], cwd: REPO_ROOT }).trim();
  } catch (error) {
    if (error instanceof CommandFailed && CLI_PATH === DEFAULT_CLI_PATH && !existsSync(join(REPO_ROOT, 'dist'))) {
      throw new CommandFailed(error.cmd, error.status, error.stdout, `${error.stderr}\n(hint: bin/tsdbt.js loads dist/; run \`npm run build\` first)`);
    }
    throw error;
  }
}
