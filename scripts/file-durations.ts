// Writes test/file-durations.json, the seconds each test file took, from a vitest JSON report: the order in which
// test/longest-first-sequencer.ts starts the files. Refresh it when files come or go or change much, best from a run
// with every backend (the Citus half included, as in .ci/run):
//   npx vitest run --reporter=json --outputFile.json=/tmp/report.json && npx tsx scripts/file-durations.ts /tmp/report.json
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const report = process.argv[2];
if (!report) {
  console.error('usage: npx tsx scripts/file-durations.ts <vitest JSON report>');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as { testResults: Array<{ name: string; startTime: number; endTime: number }> };
const durations = Object.fromEntries(
  testResults
    .map((file): [string, number] => [relative(root, file.name), Math.round((file.endTime - file.startTime) / 100) / 10])
    .sort(([a, da], [b, db]) => db - da || (a < b ? -1 : 1)),
);
writeFileSync(fileURLToPath(new URL('../test/file-durations.json', import.meta.url)), `${JSON.stringify(durations, null, 2)}\n`);
