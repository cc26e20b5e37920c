import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Connection } from '../adapters/adapter.js';
import { runStatements } from '../adapters/dialect-sql.js';
import { quoteIdentifier, quoteLiteral } from '../adapters/sql.js';
import { didYouMean, TsdbtError } from '../core/errors.js';
import { distributionOf } from '../materializations/distribution.js';
import { buildAndSwap, type SwapTarget } from '../materializations/swap.js';
import type { NodeOutcome } from '../core/results.js';
import { ChunkChannel } from './chunk-channel.js';
import type { InferredType } from './csv/column-types.js';
import { scanCsv, type CsvOptions, type CsvScanResult } from './csv/csv-scan.js';
import { listSeedFiles, planFiles, readHashing } from './seed-files.js';
import { ensureStateTable, readState, recordFiles, stateKey } from './seed-state.js';
import type { SeedLoadContext, SeedSourceOf } from './seed-loader.js';

/** Types are guessed from the first MiB; the full scan, run alongside COPY, has the last word. */
const SAMPLE_BYTES = 1 << 20;
const CHUNK_BYTES = 8 << 20;

/** Columns and types to create the table with; speculative when they come from a sample of the file. */
interface TypeGuess {
  scan: CsvScanResult;
  speculative: boolean;
}

/** The full scan found other types than the sample, or COPY refused a value under the sample's types. */
class TypesChanged extends Error {
  constructor(readonly scan: CsvScanResult) {
    super('column types changed after the sample');
  }
}

/**
 * A CSV seed: loaded with COPY into a new table under a temporary name and swapped in, so a failed load leaves the
 * previous table intact. One pass in the common case: the table is created with types guessed from a sample while the
 * whole file streams through both the CSV scanner (validation, exact types) and COPY; if the exact types differ from
 * the guess, the load is rolled back and done again with them.
 */
export async function loadCsvSeed(execution: SwapTarget, source: SeedSourceOf<'csv'>, context: SeedLoadContext): Promise<NodeOutcome> {
  const { adapter, node } = execution;
  const { config } = node;
  const { file } = source;
  const options: CsvOptions = {
    delimiter: config.delimiter ?? ',',
    quote: config.quote ?? '"',
    header: config.header ?? true,
    nullValues: config.null_values ?? [''],
  };
  const overrides = config.column_types ?? {};
  // A new distribution reloads the file into a table distributed anew; none leaves the hashes of earlier loads as they were.
  const loadedAs = execution.distribution ? { options, overrides, distribution: execution.distribution } : { options, overrides };
  const optionsHash = createHash('sha256').update(JSON.stringify(loadedAs)).digest('hex');
  const key = stateKey(node.relation);
  const [seedFile] = listSeedFiles(context.projectRoot, source);

  const state = await adapter.transaction(async (connection) => {
    await ensureStateTable(connection);
    return { known: await readState(connection, key), exists: (await execution.findExisting(connection)) !== undefined };
  });
  const plan = await planFiles([seedFile!], state.known, optionsHash);
  if (!context.fullRefresh && state.exists && plan.toLoad.length === 0) {
    if (plan.touched.length > 0) await adapter.transaction((connection) => recordFiles(connection, key, plan.touched));
    return { message: 'UNCHANGED', rowsAffected: null };
  }

  const load = (guess: TypeGuess | undefined) =>
    buildAndSwap(execution, 'table', async (connection, temporary) => {
      const { rows, scan } = await copyCsv(execution, connection, temporary, seedFile!.absolute, file, options, overrides, guess, context);
      await recordFiles(connection, key, [
        { path: file, size: seedFile!.size, mtimeMs: seedFile!.mtimeMs, sha256: scan.sha256, optionsHash, records: rows, rejects: 0 },
      ]);
      return rows;
    });
  const sample = await sampleTypes(seedFile!.absolute, file, options, seedFile!.size);
  let rows: number | null;
  try {
    rows = await load(sample);
  } catch (error) {
    if (!(error instanceof TypesChanged)) throw error;
    // The full scan's types are exact: this time any refusal is the data's, and is reported as it is.
    rows = await load({ scan: error.scan, speculative: false });
  }
  return { message: `INSERT ${rows ?? 0}`, rowsAffected: rows };
}

/**
 * Creates the table with `guess`'s columns and types (or a full scan's, without a guess) and streams the file in.
 * A speculative guess that turns out wrong throws TypesChanged, carrying the exact types, after rolling nothing forward.
 */
async function copyCsv(
  execution: SwapTarget,
  connection: Connection,
  temporary: string,
  absolute: string,
  file: string,
  options: CsvOptions,
  overrides: Record<string, string>,
  guess: TypeGuess | undefined,
  context: SeedLoadContext,
): Promise<{ rows: number; scan: CsvScanResult & { sha256: string } }> {
  const known = guess?.scan ?? (await scanFile(absolute, file, options));
  checkDistributionColumn(execution, file, known.columns);
  const types = sqlTypes(known, overrides);
  const columns = known.columns.map(quoteIdentifier);
  // Distributed before COPY, where the engine shards tables: the rows go straight to the shards.
  const created = connection.dialect.sql.createTable(temporary, columns.map((c, i) => `${c} ${types[i]}`).join(', '), { distribution: execution.distribution });
  await runStatements(created, (sql) => execution.run(connection, sql));
  // Several null markers: COPY knows one, so the file goes through a text staging table first.
  const staging = options.nullValues.length > 1 ? quoteIdentifier(`tsdbt_csv_staging_${execution.runId}`) : undefined;
  if (staging) await runStatements(connection.dialect.sql.createTable(staging, columns.map((c) => `${c} text`).join(', '), { temporary: true }), (sql) => execution.run(connection, sql));
  const copyTarget = `${staging ?? temporary} (${columns.join(', ')})`;
  // Where COPY takes a plain byte stream, the file's bytes go to the server as read (header and all) while the scan
  // checks the same bytes here: two processes, two cores. Otherwise the scan cuts row-aligned chunks for COPY.
  const streaming = execution.adapter.capabilities.streamingCopy;
  const copyOptions = connection.dialect.sql.copyCsvOptions({
    header: streaming && options.header,
    delimiter: options.delimiter,
    quote: options.quote,
    null: staging ? '\u0001' : (options.nullValues[0] ?? ''),
  });

  const channel = new ChunkChannel<Buffer>();
  let copyError: unknown;
  const copying = connection.copyFrom(copyTarget, copyOptions, channel).catch((error: unknown) => {
    copyError = error;
    channel.discard();
    return 0;
  });
  const hash = createHash('sha256');
  let scan: CsvScanResult;
  try {
    const bytes = readHashing(absolute, hash);
    scan = streaming
      ? await scanCsv(tee(bytes, channel, context), file, options)
      : await scanCsv(bytes, file, options, {
          onChunkBytes: (raw) => {
            context.advance(0, 0, raw.length);
            return channel.push(raw);
          },
          chunkBytes: CHUNK_BYTES,
        });
    channel.end();
  } catch (error) {
    channel.fail(error);
    await copying;
    throw error;
  }
  const rows = await copying;
  const exact = sqlTypes(scan, overrides);
  if (guess?.speculative && (isDataError(copyError) || exact.some((type, i) => type !== types[i]) || scan.columns.length !== known.columns.length)) {
    throw new TypesChanged(scan);
  }
  if (copyError) throw copyError;
  if (staging) {
    const markers = options.nullValues.map(quoteLiteral).join(', ');
    const select = columns.map((c, i) => `(case when ${c} in (${markers}) then null else ${c} end)::${types[i]}`).join(', ');
    await execution.run(connection, `insert into ${temporary} select ${select} from ${staging}`);
  }
  return { rows, scan: { ...scan, sha256: hash.digest('hex') } };
}

/** A seed sharded by a column its file does not have is refused on every target, as other distribution configs are. */
function checkDistributionColumn(execution: SwapTarget, file: string, columns: string[]): void {
  const { node } = execution;
  const distribution = distributionOf(node);
  if (distribution.kind !== 'hash' || columns.includes(distribution.column)) return;
  throw new TsdbtError('config', `seed '${node.name}' has distribution_column '${distribution.column}', which ${file} does not have (its columns: ${columns.join(', ')})`, {
    location: { file: node.patchPath ?? file },
    hint: didYouMean(distribution.column, columns) ?? 'name one of its columns',
  });
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Passes each chunk on to `channel` (waiting while COPY is behind) before the scan sees it. A BOM starting the file is
 * not passed on: the scan skips it, but COPY would read it as part of the first value (refused in a number column).
 */
async function* tee(chunks: AsyncIterable<Buffer>, channel: ChunkChannel<Buffer>, context: SeedLoadContext): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of chunks) {
    await channel.push(first && chunk.subarray(0, 3).equals(BOM) ? chunk.subarray(3) : chunk);
    first = false;
    context.advance(0, 0, chunk.length);
    yield chunk;
  }
}

function sqlTypes(scan: CsvScanResult, overrides: Record<string, string>): string[] {
  return scan.columns.map((column, i) => overrides[column] ?? (scan.types[i] as InferredType));
}

function isDataError(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('22');
}

async function scanFile(absolute: string, file: string, options: CsvOptions): Promise<CsvScanResult> {
  return scanCsv(createReadStream(absolute), file, options);
}

/** The first MiB cut at its last newline; the whole file when it is that small (then the guess is exact). */
async function sampleTypes(absolute: string, file: string, options: CsvOptions, size: number): Promise<TypeGuess | undefined> {
  const handle = await open(absolute, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const whole = bytesRead >= size;
    const end = whole ? bytesRead : buffer.lastIndexOf(0x0a, bytesRead - 1) + 1;
    if (end <= 0) return undefined;
    try {
      return { scan: await scanCsv([buffer.subarray(0, end)], file, options), speculative: !whole };
    } catch (error) {
      // A cut inside a quoted field is not an error of the file; a whole file's error is, and the full scan reports it.
      if (whole) throw error;
      return undefined;
    }
  } finally {
    await handle.close();
  }
}
