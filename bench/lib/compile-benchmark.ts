/** `tsdbt compile` (parse, render, graph; no database) on generated projects of N models, cold and warm. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateProject } from '../generate-project.js';
import { runChecked } from './measure.js';
import { measureTasks, toMeasurement, type Measurement } from './measurement.js';
import { WORK_DIR } from './paths.js';
import { COMPILE_TARGET_S } from './targets.js';
import { tsdbtCommand } from './tsdbt.js';

export interface CompileResult {
  name: string;
  n: number;
  /** Each timed run starts without `<project>/target` (no parse cache). */
  cold: Measurement;
  /** Each timed run finds `target/` left by the previous run (parse cache, if the CLI keeps one). */
  warm: Measurement;
}

function removeTarget(projectDir: string): void {
  rmSync(join(projectDir, 'target'), { recursive: true, force: true });
}

export function runCompileBenchmark(n: number, runs: number): CompileResult {
  const projectDir = join(WORK_DIR, `compile-${n}`);
  console.log(`\ncompile, N=${n}: generating ${projectDir}`);
  // Compile needs no database, but a CLI may insist on a profile being resolvable.
  generateProject(projectDir, { models: n, profile: { dbname: 'postgres' } });
  const cmd = tsdbtCommand('compile', projectDir, { profilesDir: projectDir });

  console.log('  warm-up (untimed)');
  removeTarget(projectDir);
  runChecked(cmd);

  const [cold] = measureTasks([{ label: 'cold', cmd, before: () => removeTarget(projectDir) }], runs);
  runChecked(cmd); // make sure the warm runs find a complete target/ from an uninterrupted run
  const [warm] = measureTasks([{ label: 'warm', cmd }], runs);

  const targetS = COMPILE_TARGET_S[n];
  return {
    name: `compile-${n}`,
    n,
    cold: toMeasurement('compile (cold)', n, cold!, targetS),
    warm: toMeasurement('compile (warm)', n, warm!, targetS),
  };
}
