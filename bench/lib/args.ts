/** Command-line flags of `npm run bench`. */
import { parseArgs } from 'node:util';

export const BENCHMARKS = ['compile', 'run', 'seed', 'incremental', 'build-start', 'example-scale', 'real-export', 'clustering', 'sessions', 'docs', 'embedded-start', 'in-process', 'citus-example', 'virtual-env'] as const;
export type Only = (typeof BENCHMARKS)[number];

export interface BenchArgs {
  runs: number;
  only?: Only;
  sizes: number[];
  runModels: number;
  seedRows: number;
  sinkFiles: number;
  incrementalRows: number;
  buildStartModels: number;
  exampleScale: number;
  clusteringPosts: number;
  sessionsScale: number;
  docsModels: number;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--runs N] [--only compile|run|seed|incremental|build-start|example-scale|real-export|clustering|sessions|docs|embedded-start|in-process|citus-example|virtual-env]
                      [--sizes 1000,5000,10000] [--run-models 200] [--seed-rows 1000000] [--sink-files 20000]
                      [--incremental-rows 5000000] [--build-start-models 5000] [--example-scale 1000000]
                      [--clustering-posts 2100000] [--sessions-scale 5000000] [--docs-models 5000]

  --runs N          timed runs per measurement (default 5); the median, min and max are reported
  --only KIND       real-export: Pipeline A on ../shared/data/duel_advocates/mixed (PostgreSQL and PGlite);
                    clustering: pipeline D's activity_clusters on PostgreSQL; sessions: pipeline C's daily run against
                    its full refresh on PostgreSQL; docs: docs generate and the site in Chromium; embedded-start: what a
                    command pays to open PGlite, against plain PGlite and psql; in-process: column lineage and CSV
                    scans timed in this process; citus-example: the example project on Citus and on one PostgreSQL,
                    its relations compared (TSDBT_BENCH_CITUS_URL or TSDBT_TEST_CITUS_URL); virtual-env: the example
                    project's plan/promote loop with virtual environments against a plain build; or run only the compile, the run, the
                    seed, the incremental, the build-start or the example-scale benchmark
  --sizes LIST      model counts for the compile benchmark (default 1000,5000,10000)
  --run-models N    number of views for the run benchmark (default 200)
  --seed-rows N     rows of the CSV seed and records of the NDJSON seed (default 1000000)
  --sink-files N    one-record JSON files in the sink folder seed (default 20000)
  --incremental-rows N  rows of the event table of the incremental benchmark (default 5000000; 1% more are added)
  --build-start-models N  models of the build-start benchmark, with 3 data tests each (default 5000)
  --example-scale N  Pinterest posts of the generated inputs of the example-scale benchmark (default 1000000; a tenth
                    as many ambassadors)
  --clustering-posts N  BlueSky posts the clustering benchmark generates (default 2100000, the real data set's size)
  --sessions-scale N  interactions the sessions benchmark generates (default 5000000, over 366 days)
  --docs-models N   models of the docs benchmark, with 3 data tests each (default 5000)`;

export function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} expects a positive integer, got '${text}'`);
  return value;
}

function isBenchmark(text: string): text is Only {
  return (BENCHMARKS as readonly string[]).includes(text);
}

/** Whether a benchmark runs: all do unless --only names one. */
export function selected(args: BenchArgs, benchmark: Only): boolean {
  return args.only === undefined || args.only === benchmark;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '5' },
      only: { type: 'string' },
      sizes: { type: 'string', default: '1000,5000,10000' },
      'run-models': { type: 'string', default: '200' },
      'seed-rows': { type: 'string', default: '1000000' },
      'sink-files': { type: 'string', default: '20000' },
      'incremental-rows': { type: 'string', default: '5000000' },
      'build-start-models': { type: 'string', default: '5000' },
      'example-scale': { type: 'string', default: '1000000' },
      'clustering-posts': { type: 'string', default: '2100000' },
      'sessions-scale': { type: 'string', default: '5000000' },
      'docs-models': { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.only !== undefined && !isBenchmark(values.only)) {
    throw new Error(`--only expects one of ${BENCHMARKS.join(', ')}, got '${values.only}'`);
  }
  return {
    runs: positiveInt('--runs', values.runs),
    only: values.only,
    sizes: values.sizes.split(',').map((s) => positiveInt('--sizes', s.trim())),
    runModels: positiveInt('--run-models', values['run-models']),
    seedRows: positiveInt('--seed-rows', values['seed-rows']),
    sinkFiles: positiveInt('--sink-files', values['sink-files']),
    incrementalRows: positiveInt('--incremental-rows', values['incremental-rows']),
    buildStartModels: positiveInt('--build-start-models', values['build-start-models']),
    exampleScale: positiveInt('--example-scale', values['example-scale']),
    clusteringPosts: positiveInt('--clustering-posts', values['clustering-posts']),
    sessionsScale: positiveInt('--sessions-scale', values['sessions-scale']),
    docsModels: positiveInt('--docs-models', values['docs-models']),
    help: values.help,
  };
}
