/**
 * npm run generate-data -- --scale <n> --out <dir> [--seed <s>] [--users-from <user_metadata_sample.csv>]
 * npm run generate-data -- --out <dir> --append <k>          (k more Pinterest sink files per topic)
 * npm run generate-data -- --out <dir> --append-days <d>     (d more days of interactions)
 *
 * Writes the inputs of the example project's four pipelines (ambassadors, Pinterest, interactions, BlueSky posts), with their defects planted at known
 * rates, and `<dir>/manifest.json` counting them. The same arguments write the same bytes.
 */
import { parseArgs } from 'node:util';
import { readManifest } from './generate-data/manifest.js';
import { appendInteractions, appendSinkFiles, generate } from './generate-data/generate.js';

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

function main(): void {
  const { values } = parseArgs({
    options: { scale: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, append: { type: 'string' },
      'users-from': { type: 'string' }, 'append-days': { type: 'string' } },
    strict: true,
  });
  const out = values.out;
  if (out === undefined) throw new Error('--out <dir> is required');
  const started = performance.now();
  const appendFiles = integer('append', values.append);
  const appendDays = integer('append-days', values['append-days']);
  if (appendFiles !== undefined) appendSinkFiles(out, appendFiles);
  if (appendDays !== undefined) appendInteractions(out, appendDays);
  const manifest = appendFiles !== undefined || appendDays !== undefined
    ? readManifest(out)
    : generate({ out, scale: integer('scale', values.scale) ?? 1000, seed: integer('seed', values.seed) ?? 1, issue8: true,
      usersFrom: values['users-from'] });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const p = manifest.pinterest;
  console.error(`${out}: ${manifest.ambassadors.files} ambassador files; ${p.records} Pinterest records per topic in `
    + `${p.files.pin} sink files per topic (${p.redelivered.pin + p.redelivered.geo + p.redelivered.user} redelivered lines); ${seconds}s`);
}

try {
  main();
} catch (error) {
  console.error(`generate-data: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
