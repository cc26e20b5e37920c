import type { SeedSource } from '../core/nodes.js';
import type { SwapTarget } from '../materializations/swap.js';
import type { NodeOutcome } from '../core/results.js';
import type { Reporter } from '../core/reporter.js';
import { loadCsvSeed } from './csv-loader.js';
import { loadJsonSeed, type JsonSeedSource } from './json-loader.js';

export interface SeedLoadContext {
  projectRoot: string;
  fullRefresh: boolean;
  reporter: Reporter;
  /** Counts what has been read so far, for the progress line. */
  advance(files: number, records: number, bytes: number): void;
}

/** CSV files are tables of their own; JSON documents are rows of jsonb, loaded file by file. */
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
  if (source.format === 'csv') return loadCsvSeed(execution, source.file, execution.node.config, context);
  return loadJsonSeed(execution, source as JsonSeedSource, context);
}
