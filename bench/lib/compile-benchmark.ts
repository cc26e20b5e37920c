/** `tsdbt compile` (parse, render, graph; no database) on generated projects of N models, cold and warm; and `tsdbt ls`. */
import { accessSync, constants, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateProject } from '../generate-project.js';
import { runChecked } from './measure.js';
import { measureTasks, toMeasurement, type Measurement } from './measurement.js';
import { REPO_ROOT, WORK_DIR } from './paths.js';
import { COMPILE_TARGET_S, LS_TARGET_S } from './targets.js';
import { tsdbtCommand } from './tsdbt.js';

export interface CompileResult {
  name: string;
  n: number;
  /** Each timed run starts without `<project>/target` (no parse cache). */
  cold: Measurement;
  /** Each timed run finds `target/` left by the previous run (parse cache, if the CLI keeps one). */
  warm: Measurement;
  /** Creating one file per model in a fresh folder and nothing else: what a cold compile cannot go below on this disk. */
  filesFloor: Measurement;
  /**
   * The cold compile of a copy of the project in memory (/dev/shm), where creating its files costs little: tsdbt's own
   * cost, apart from the disk's (undefined where /dev/shm cannot be written).
   */
  coldInMemory: Measurement | undefined;
  /** `tsdbt ls` of every node after a compile: the parse (from the partial parse cache), graph and selection. */
  ls: Measurement;
  /** The same with `--no-partial-parse`: every model file read and parsed. */
  lsUncached: Measurement;
}

/** A folder in memory for the project's copy, or undefined. */
function memoryDir(n: number): string | undefined {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return join('/dev/shm', `tsdbt-bench-compile-${n}`);
  } catch {
    return undefined;
  }
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

  const floorDir = join(projectDir, 'files-floor');
  const floorCmd = { command: process.execPath, args: [join(REPO_ROOT, 'bench', 'create-files.mjs'), projectDir, floorDir] };
  const [cold, floor] = measureTasks(
    [
      { label: 'cold', cmd, before: () => removeTarget(projectDir) },
      { label: 'create files only', cmd: floorCmd, before: () => rmSync(floorDir, { recursive: true, force: true }) },
    ],
    runs,
  );
  rmSync(floorDir, { recursive: true, force: true });
  const inMemory = memoryDir(n);
  let coldInMemory: Measurement | undefined;
  if (inMemory) {
    rmSync(inMemory, { recursive: true, force: true });
    cpSync(projectDir, inMemory, { recursive: true, filter: (path) => path !== join(projectDir, 'target') });
    const memoryCmd = tsdbtCommand('compile', inMemory, { profilesDir: inMemory });
    const [memoryCold] = measureTasks([{ label: 'cold, in memory', cmd: memoryCmd, before: () => removeTarget(inMemory) }], runs);
    coldInMemory = toMeasurement('compile (cold), project in /dev/shm', n, memoryCold!, COMPILE_TARGET_S[n]);
    rmSync(inMemory, { recursive: true, force: true });
  }
  runChecked(cmd); // make sure the warm runs find a complete target/ from an uninterrupted run
  const [warm] = measureTasks([{ label: 'warm', cmd }], runs);
  const [ls, lsUncached] = measureTasks(
    [
      { label: 'ls', cmd: tsdbtCommand('ls', projectDir, { profilesDir: projectDir }) },
      { label: 'ls --no-partial-parse', cmd: tsdbtCommand('ls --no-partial-parse', projectDir, { profilesDir: projectDir }) },
    ],
    runs,
  );

  const targetS = COMPILE_TARGET_S[n];
  return {
    name: `compile-${n}`,
    n,
    cold: toMeasurement('compile (cold)', n, cold!, targetS),
    warm: toMeasurement('compile (warm)', n, warm!, targetS),
    filesFloor: toMeasurement('create N files only (floor)', n, floor!),
    coldInMemory,
    ls: toMeasurement('ls', n, ls!, LS_TARGET_S[n]),
    lsUncached: toMeasurement('ls --no-partial-parse', n, lsUncached!),
  };
}
