import type { SeedSource } from '../graph/nodes.js';
import type { Execution, NodeOutcome } from '../runner/node-runner.js';
import type { Reporter } from '../runner/reporter.js';
import { loadCsvSeed } from './csv-loader.js';
import { loadJsonSeed } from './json-loader.js';

export interface SeedLoadContext {
  projectRoot: string;
  fullRefresh: boolean;
  reporter: Reporter;
}

/** CSV files are tables of their own; JSON documents are rows of jsonb, loaded file by file. */
export function loadSeed(execution: Execution, source: SeedSource, context: SeedLoadContext): Promise<NodeOutcome> {
  if (source.kind === 'file' && source.format === 'csv') return loadCsvSeed(execution, source.file, execution.node.config, context);
  return loadJsonSeed(execution, source, context);
}
