import type { SeedFormat, SeedSource } from '../core/nodes.js';
import type { SwapTarget } from '../materializations/swap.js';
import type { NodeOutcome } from '../core/results.js';
import type { Reporter } from '../core/reporter.js';
import { loadCsvSeed } from './csv-loader.js';
import { loadJsonSeed } from './json-loader.js';

export interface SeedLoadContext {
  projectRoot: string;
  fullRefresh: boolean;
  reporter: Reporter;
  /** Counts what has been read so far, for the progress line. */
  advance(files: number, records: number, bytes: number): void;
}

/** A seed's file or files of one format. */
export type SeedSourceOf<Format extends SeedFormat> = SeedSource & { format: Format };

type SeedLoader<Format extends SeedFormat> = (execution: SwapTarget, source: SeedSourceOf<Format>, context: SeedLoadContext) => Promise<NodeOutcome>;

/**
 * One loader per seed format, so a new format is one module and one line here. CSV files are tables of their own;
 * JSON documents are rows of jsonb, loaded file by file.
 */
const LOADERS: { [Format in SeedFormat]: SeedLoader<Format> } = { csv: loadCsvSeed, json: loadJsonSeed, ndjson: loadJsonSeed };

function loaderOf<Format extends SeedFormat>(format: Format): SeedLoader<Format> {
  return LOADERS[format];
}

export function loadSeed(execution: SwapTarget, source: SeedSource, options: Omit<SeedLoadContext, 'advance'>): Promise<NodeOutcome> {
  const started = Date.now();
  const totals = { files: 0, records: 0, bytes: 0 };
  const context: SeedLoadContext = {
    ...options,
    advance(files, records, bytes) {
      totals.files += files;
      totals.records += records;
      totals.bytes += bytes;
      options.reporter.progress({ uniqueId: execution.node.uniqueId, ...totals, elapsedSeconds: (Date.now() - started) / 1000 });
    },
  };
  return loaderOf(source.format)(execution, source, context);
}
