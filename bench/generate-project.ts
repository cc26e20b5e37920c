/**
 * Writes a synthetic tsdbt project of N models in a layered DAG, deterministically from a seed.
 *
 *   tsx bench/generate-project.ts --models 1000 --out DIR [--seed 42] [--dbname DB]
 *
 * Layer 0 (~2% of the models) selects from the source `raw.events`; every other model selects from
 * one to three refs to models of earlier layers, joined on `id`. Every model outputs exactly the
 * columns `id, a, b, c, d` (integers, d text), so any model can be ref'ed by any later one.
 *
 * With `--tests`, each layer gets a property file giving every model three data tests: unique and not_null on `id`,
 * and relationships from `id` to its first parent (a root model: accepted_values of `c`, which is `id % 11`).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface ProfileOptions {
  /** The profile's name (the project file's `profile:`); `bench` by default. */
  name?: string;
  /** The output's type: `postgres` by default, or `citus` (the same keys). */
  type?: 'postgres' | 'citus';
  dbname: string;
  host?: string;
  port?: number;
  user?: string;
  schema?: string;
  threads?: number;
}

export interface GenerateOptions {
  models: number;
  seed?: number;
  /** When given, a `profiles.yml` in dbt's format is written next to the project file. */
  profile?: ProfileOptions;
  /** Three data tests per model, in a property file per layer. */
  tests?: boolean;
}

/** The number of data tests `tests: true` gives each model. */
export const TESTS_PER_MODEL = 3;

const LAYERS = 10;
const ROOT_SHARE = 0.02;
const CONFIG_EVERY = 10;
const MAX_REFS = 3;

type Random = () => number;

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInt(random: Random, maxExclusive: number): number {
  return Math.floor(random() * maxExclusive);
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[randomInt(random, items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Sizes of the layers: layer 0 holds ~2% of the models (at least one), the rest is spread evenly. */
export function layerSizes(models: number): number[] {
  if (!Number.isInteger(models) || models < 1) throw new Error(`models must be a positive integer, got ${models}`);
  const layers = Math.min(LAYERS, models);
  const roots = layers === 1 ? models : Math.min(models - (layers - 1), Math.max(1, Math.round(models * ROOT_SHARE)));
  const rest = models - roots;
  const sizes = [roots];
  for (let k = 1; k < layers; k++) {
    sizes.push(Math.floor(rest / (layers - 1)) + (k - 1 < rest % (layers - 1) ? 1 : 0));
  }
  return sizes;
}

function rootSql(random: Random): string {
  const select = 'select id, a, b, c, d from {{source "raw" "events"}}';
  return random() < 0.5 ? `${select}\nwhere id % ${2 + randomInt(random, 9)} <> 0\n` : `${select}\n`;
}

/** Picks 1-3 distinct parents: the first from the previous layer (keeps the DAG deep), the others from any earlier layer. */
function pickParents(random: Random, previousLayer: readonly string[], earlier: readonly string[]): string[] {
  const wanted = Math.min(1 + randomInt(random, MAX_REFS), earlier.length);
  const parents = [pick(random, previousLayer)];
  while (parents.length < wanted) {
    const candidate = pick(random, earlier);
    if (!parents.includes(candidate)) parents.push(candidate);
  }
  return parents;
}

function columnExpression(random: Random, column: 'a' | 'b' | 'c' | 'd', alias: string): string {
  const roll = random();
  if (column === 'd') return roll < 0.2 ? `upper(${alias}.d) as d` : `${alias}.d`;
  if (roll < 0.2) return `${alias}.${column} + 1 as ${column}`;
  if (roll < 0.3) return `${alias}.${column} % 97 as ${column}`;
  return `${alias}.${column}`;
}

function derivedSql(random: Random, parents: readonly string[]): string {
  const aliases = parents.map((_, i) => `r${i + 1}`);
  const columns = (['a', 'b', 'c', 'd'] as const).map((column) => columnExpression(random, column, pick(random, aliases)));
  const lines = [`select r1.id, ${columns.join(', ')}`];
  parents.forEach((parent, i) => {
    const alias = aliases[i]!;
    lines.push(i === 0 ? `from {{ref "${parent}"}} as ${alias}` : `join {{ref "${parent}"}} as ${alias} on ${alias}.id = r1.id`);
  });
  return `${lines.join('\n')}\n`;
}

function withConfig(random: Random, sql: string): string {
  return randomInt(random, CONFIG_EVERY) === 0 ? `{{config materialized="view" tags="nightly"}}\n${sql}` : sql;
}

const PROJECT_YML = `name: bench
profile: bench
model-paths: [models]
models:
  bench:
    +materialized: view
`;

const SOURCES_YML = `version: 2
sources:
  - name: raw
    schema: bench_raw
    tables:
      - name: events
`;

const ROOT_C_VALUES = Array.from({ length: 11 }, (_, i) => i).join(', ');

/** A property file entry for one model: its three tests, derived from its parents (so the random sequence is untouched). */
function testedModelYml(name: string, parents: readonly string[]): string {
  const third =
    parents.length === 0
      ? `      - name: c\n        data_tests: [{accepted_values: {values: [${ROOT_C_VALUES}]}}]\n`
      : '';
  const relationship = parents.length === 0 ? '' : `, {relationships: {to: "ref('${parents[0]}')", field: id}}`;
  return `  - name: ${name}\n    columns:\n      - name: id\n        data_tests: [unique, not_null${relationship}]\n${third}`;
}

export function profilesYml(profile: ProfileOptions): string {
  const output = {
    type: profile.type ?? 'postgres',
    host: profile.host ?? '127.0.0.1',
    port: profile.port ?? 5432,
    user: profile.user ?? 'postgres',
    dbname: profile.dbname,
    schema: profile.schema ?? 'bench',
    threads: profile.threads ?? 4,
  };
  const fields = Object.entries(output).map(([key, value]) => `${key}: ${value}`);
  return `${profile.name ?? 'bench'}:\n  target: dev\n  outputs:\n    dev: {${fields.join(', ')}}\n`;
}

/** Writes the project into `dir` (its `models/` folder is replaced; `target/` is left alone). */
export function generateProject(dir: string, options: GenerateOptions): void {
  const random = mulberry32(options.seed ?? 42);
  const modelsDir = join(dir, 'models');
  rmSync(modelsDir, { recursive: true, force: true });
  mkdirSync(modelsDir, { recursive: true });
  writeFileSync(join(dir, 'tsdbt_project.yml'), PROJECT_YML);
  writeFileSync(join(modelsDir, 'sources.yml'), SOURCES_YML);
  if (options.profile) writeFileSync(join(dir, 'profiles.yml'), profilesYml(options.profile));

  const earlier: string[] = [];
  let previousLayer: string[] = [];
  let index = 1;
  layerSizes(options.models).forEach((size, layer) => {
    const layerDir = join(modelsDir, `layer_${layer}`);
    mkdirSync(layerDir);
    const thisLayer: string[] = [];
    const properties: string[] = [];
    for (let j = 0; j < size; j++, index++) {
      const name = `m_${index}`;
      const parents = layer === 0 ? [] : pickParents(random, previousLayer, earlier);
      const sql = layer === 0 ? rootSql(random) : derivedSql(random, parents);
      writeFileSync(join(layerDir, `${name}.sql`), withConfig(random, sql));
      if (options.tests) properties.push(testedModelYml(name, parents));
      thisLayer.push(name);
    }
    if (options.tests) writeFileSync(join(layerDir, 'tests.yml'), `version: 2\nmodels:\n${properties.join('')}`);
    earlier.push(...thisLayer);
    previousLayer = thisLayer;
  });
}

function cli(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      dbname: { type: 'string' },
      tests: { type: 'boolean', default: false },
    },
  });
  const models = Number(values.models);
  if (!values.out || !Number.isInteger(models) || models < 1) {
    console.error('usage: tsx bench/generate-project.ts --models N --out DIR [--seed S] [--dbname DB] [--tests]');
    process.exit(2);
  }
  const dir = resolve(values.out);
  generateProject(dir, {
    models,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    profile: values.dbname === undefined ? undefined : { dbname: values.dbname },
    tests: values.tests,
  });
  console.log(`wrote ${models} models${values.tests ? ` and ${models * TESTS_PER_MODEL} tests` : ''} to ${dir}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  cli(process.argv.slice(2));
}
