/** Command-line flags of `npm run bench`. */
import { parseArgs } from 'node:util';

export type Only = 'compile' | 'run';

export interface BenchArgs {
  runs: number;
  only?: Only;
  sizes: number[];
  runModels: number;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--runs N] [--only compile|run] [--sizes 1000,5000,10000] [--run-models 200]

  --runs N          timed runs per measurement (default 5); the median, min and max are reported
  --only KIND       run only the compile or only the run benchmark
  --sizes LIST      model counts for the compile benchmark (default 1000,5000,10000)
  --run-models N    number of views for the run benchmark (default 200)`;

function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} expects a positive integer, got '${text}'`);
  return value;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '5' },
      only: { type: 'string' },
      sizes: { type: 'string', default: '1000,5000,10000' },
      'run-models': { type: 'string', default: '200' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.only !== undefined && values.only !== 'compile' && values.only !== 'run') {
    throw new Error(`--only expects 'compile' or 'run', got '${values.only}'`);
  }
  return {
    runs: positiveInt('--runs', values.runs),
    only: values.only,
    sizes: values.sizes.split(',').map((s) => positiveInt('--sizes', s.trim())),
    runModels: positiveInt('--run-models', values['run-models']),
    help: values.help,
  };
}
