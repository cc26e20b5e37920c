import type { Argv } from 'yargs';
import type { CliIO } from '../io.js';
import type { GlobalArgs } from '../options.js';

/** One CLI command: its yargs definition and what it does; it returns the exit code. */
export interface Command<A = object> {
  name: string;
  describe: string;
  /** Positional arguments after the name, in yargs syntax: `init <name>`. */
  usage?: string;
  examples?: Array<[string, string]>;
  options?: (yargs: Argv<GlobalArgs>) => Argv<unknown>;
  run(args: GlobalArgs & A, io: CliIO): Promise<number>;
}
