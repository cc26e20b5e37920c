import { resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import type { Argv } from 'yargs';
import { TsdbtError } from '../core/errors.js';
import { parseInstant } from '../util/time.js';

/** Options every command takes, as in dbt. */
export function globalOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('project-dir', { type: 'string', describe: 'Folder holding tsdbt_project.yml (or dbt_project.yml)', default: '.' , global: true })
    .option('profiles-dir', { type: 'string', describe: 'Folder holding profiles.yml (else $TSDBT_PROFILES_DIR, $DBT_PROFILES_DIR, the project, ~/.tsdbt, ~/.dbt)', global: true })
    .option('profile', { type: 'string', describe: 'Profile to use instead of the project\'s', global: true })
    .option('target', { alias: 't', type: 'string', describe: 'Output of the profile to use', global: true })
    .option('vars', { type: 'string', describe: 'Variables as YAML or JSON: --vars \'{days: 3}\'', global: true })
    .option('threads', { type: 'number', describe: 'How many nodes run at once (the profile\'s threads by default)', global: true })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'text for people (timestamped start and finish lines, a recap at the end), json lines for machines (node_started, node_finished, run_result_error...)', global: true })
    .option('partial-parse', { type: 'boolean', default: true, describe: 'Reuse what the last parse of unchanged model files gave (<target>/partial_parse.tsv); --no-partial-parse reads every file', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors, the recap of failures and warnings, and the totals', global: true })
    .option('log-sql', { type: 'string', describe: 'Append every statement sent to the database to this file: time, session (c1, c2...), duration, SQL, parameters (secrets masked; COPY without its rows). Else $TSDBT_LOG_SQL', global: true });
}

/** The statement log's file (--log-sql, else $TSDBT_LOG_SQL), from the working directory; undefined when neither is set. */
export function statementLogFile(args: { logSql?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = args.logSql || env.TSDBT_LOG_SQL;
  return file ? resolve(file) : undefined;
}

/** Options of the commands that pick nodes. */
export function selectionOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('select', { alias: 's', type: 'string', array: true, describe: 'Nodes to include: name, +name, name+, @name, tag:x, path:models/x, config.materialized:table, state:modified' })
    .option('exclude', { type: 'string', array: true, describe: 'Nodes to leave out, same syntax as --select' })
    .option('state', { type: 'string', describe: 'Folder of an earlier manifest.json, for state:modified and state:new, --defer and clone' });
}

/** The option of every command that takes the writer lock. */
export function lockOptions<T>(yargs: Argv<T>) {
  return yargs.option('lock-timeout', { type: 'number', default: 5, describe: 'Seconds to wait for another tsdbt writing to the same target (its schemas) before giving up' });
}

/** Options of every command that builds in the target (the build commands and retry). */
export function writerOptions<T>(yargs: Argv<T>) {
  return lockOptions(yargs)
    .option('retries', { type: 'number', describe: "Try a node again this many times after a transient failure (lost connection, deadlock, serialization failure), with backoff; default: the profile's retries, else 0" });
}

/** Options of the commands that build. */
export function buildOptions<T>(yargs: Argv<T>) {
  return writerOptions(selectionOptions(yargs))
    .option('full-refresh', { type: 'boolean', default: false, describe: 'Rebuild incremental models and reload seeds from all their files' })
    .option('fail-fast', { alias: 'x', type: 'boolean', default: false, describe: 'Stop at the first failure' })
    .option('event-time-start', { alias: 'start', type: 'string', describe: 'Microbatch models: backfill the batches from this time (ISO 8601, UTC unless an offset is given)' })
    .option('event-time-end', { alias: 'end', type: 'string', describe: 'Microbatch models: backfill the batches up to this time (exclusive)' })
    .option('env', { type: 'string', describe: "With virtual_environments: the environment to build and promote (default: the project's default_environment, prod)" })
    .option('defer', { type: 'boolean', default: false, describe: "With --state: an unselected model, seed or snapshot missing from this target is read from the state manifest's relation" })
    .option('favor-state', { type: 'boolean', default: false, describe: "With --defer: unselected nodes are read from the state manifest's relations even where this target has them" });
}

/** `--event-time-start/end` as instants; a date or time without an offset is UTC. */
export function parseEventTimeRange(args: { eventTimeStart?: string; eventTimeEnd?: string }): { start?: Date; end?: Date } | undefined {
  if (args.eventTimeStart === undefined && args.eventTimeEnd === undefined) return undefined;
  const start = args.eventTimeStart === undefined ? undefined : parseInstant(args.eventTimeStart, '--event-time-start');
  const end = args.eventTimeEnd === undefined ? undefined : parseInstant(args.eventTimeEnd, '--event-time-end');
  if (start && end && start >= end) throw new TsdbtError('usage', `--event-time-start (${args.eventTimeStart}) must be before --event-time-end (${args.eventTimeEnd})`);
  return { start, end };
}


export interface GlobalArgs {
  projectDir: string;
  profilesDir?: string;
  profile?: string;
  target?: string;
  vars?: string;
  threads?: number;
  partialParse: boolean;
  logFormat: 'text' | 'json';
  quiet: boolean;
  logSql?: string;
}

export interface SelectionArgs {
  select?: string[];
  exclude?: string[];
  state?: string;
}

export interface LockArgs {
  lockTimeout: number;
}

export interface WriterArgs extends LockArgs {
  retries?: number;
}

export interface BuildArgs extends SelectionArgs, WriterArgs {
  fullRefresh: boolean;
  failFast: boolean;
  eventTimeStart?: string;
  eventTimeEnd?: string;
  defer?: boolean;
  favorState?: boolean;
  env?: string;
}

export function parseVars(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  let value: unknown;
  try {
    value = parseYamlText(text);
  } catch (error) {
    throw new TsdbtError('usage', `--vars is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TsdbtError('usage', '--vars must be a mapping, such as --vars \'{start_date: 2024-01-01}\'');
  }
  return value as Record<string, unknown>;
}
