import { join } from 'node:path';
import { z } from 'zod';
import { TsdbtError, type ErrorLocation } from '../core/errors.js';
import type { ColumnInfo, Constraint, SourceFreshness } from '../core/nodes.js';
import { partialNodeConfig, type PartialNodeConfig } from '../core/node-config.js';
import { readYamlFile, validateYaml, withLine, type YamlFile } from '../config/yaml-file.js';
import { strictObject } from '../core/strict-object.js';
import { relationValuesAsText } from '../config/config-text.js';
import { renderYamlTemplates } from '../config/yaml-templates.js';
import { resolveDocReferences, type DocBlocks } from './docs-blocks.js';
import { renderSeedDistribution, type PropertyTemplateScope } from './seed-distribution-templates.js';

/** dbt's constraints, on a column or on a model (naming its `columns`); read when the contract is enforced (contracts.ts). */
const constraint = strictObject({
  type: z.enum(['not_null', 'unique', 'primary_key', 'check', 'foreign_key', 'custom']),
  name: z.string().optional(),
  expression: z.string().optional(),
  columns: z.array(z.string()).optional(),
  /** dbt 1.9's foreign key target: `ref('x')` or `source('s', 't')`, with `to_columns`. */
  to: z.string().optional(),
  to_columns: z.array(z.string()).optional(),
  warn_unenforced: z.boolean().default(true),
  warn_unsupported: z.boolean().default(true),
});

const column = z.object({
  name: z.string(),
  description: z.string().default(''),
  data_type: z.string().optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
  tests: z.array(z.unknown()).default([]),
  data_tests: z.array(z.unknown()).default([]),
  constraints: z.array(constraint).default([]),
  quote: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
});

const model = strictObject({
  name: z.string(),
  description: z.string().default(''),
  config: z.record(z.string(), z.unknown()).default({}),
  columns: z.array(column).default([]),
  tests: z.array(z.unknown()).default([]),
  data_tests: z.array(z.unknown()).default([]),
  meta: z.record(z.string(), z.unknown()).optional(),
  docs: z.unknown().optional(),
  access: z.string().optional(),
  constraints: z.array(constraint).default([]),
  versions: z.unknown().optional(),
  latest_version: z.unknown().optional(),
  time_spine: z.unknown().optional(),
});

const freshnessThreshold = strictObject({
  count: z.number().int().positive(),
  period: z.enum(['minute', 'hour', 'day']),
});

/** dbt's source freshness: how old the newest `loaded_at_field` may be before the source warns or errors. */
const freshness = strictObject({
  warn_after: freshnessThreshold.optional(),
  error_after: freshnessThreshold.optional(),
  /** A WHERE condition on the rows looked at, so the query can prune partitions of a big table. */
  filter: z.string().optional(),
});

const sourceTable = strictObject({
  name: z.string(),
  identifier: z.string().optional(),
  description: z.string().default(''),
  loaded_at_field: z.string().optional(),
  /** null turns off the source's freshness for this table. */
  freshness: freshness.nullable().optional(),
  columns: z.array(column).default([]),
  tests: z.array(z.unknown()).default([]),
  data_tests: z.array(z.unknown()).default([]),
  meta: z.record(z.string(), z.unknown()).default({}),
  tags: z.array(z.string()).default([]),
  quoting: z.unknown().optional(),
  external: z.unknown().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

const source = strictObject({
  name: z.string(),
  schema: z.string().optional(),
  database: z.string().optional(),
  description: z.string().default(''),
  loaded_at_field: z.string().optional(),
  freshness: freshness.nullable().optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
  tags: z.array(z.string()).default([]),
  tables: z.array(sourceTable).default([]),
  quoting: z.unknown().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

/** A snapshot: describes a snapshot file, or with `relation` (dbt 1.9+) declares one that selects * from it. */
const modelFields = model.shape;
const snapshot = strictObject({
  name: modelFields.name,
  relation: z.string().optional(),
  description: modelFields.description,
  config: modelFields.config,
  columns: modelFields.columns,
  tests: modelFields.tests,
  data_tests: modelFields.data_tests,
  meta: modelFields.meta,
  docs: modelFields.docs,
});

/** Fixture rows: mappings (format dict), CSV text (format csv), or with `fixture` a CSV file under a test path's fixtures/. */
const fixtureRows = {
  rows: z.union([z.array(z.record(z.string(), z.unknown())), z.string()]).optional(),
  format: z.enum(['dict', 'csv']).default('dict'),
  fixture: z.string().optional(),
};

/** dbt 1.8's unit test: a model, rows for what it reads, the rows it should return. */
const unitTest = strictObject({
  name: z.string(),
  model: z.string(),
  description: z.string().default(''),
  given: z.array(strictObject({ input: z.string(), ...fixtureRows })).default([]),
  expect: strictObject(fixtureRows),
  overrides: strictObject({
    vars: z.record(z.string(), z.unknown()).default({}),
    // Only tsdbt's own macro can be overridden: a project's macros are templates, not values.
    macros: strictObject({ is_incremental: z.boolean().optional() }).prefault({}),
  }).prefault({}),
  config: strictObject({
    tags: z.union([z.string(), z.array(z.string())]).default([]),
    enabled: z.boolean().default(true),
    meta: z.record(z.string(), z.unknown()).default({}),
  }).prefault({}),
});

export type UnitTestProperties = z.infer<typeof unitTest>;

/** The top level admits the sections of later resource types too, so one property file can describe a whole folder. */
const propertyFile = strictObject({
  version: z.literal(2, { error: 'property files are version: 2, as in dbt' }),
  models: z.array(model).default([]),
  sources: z.array(source).default([]),
  seeds: z.array(model.omit({ versions: true, latest_version: true, time_spine: true, access: true })).default([]),
  snapshots: z.array(snapshot).default([]),
  unit_tests: z.array(unitTest).default([]),
  macros: z.array(z.unknown()).default([]),
  exposures: z.array(z.unknown()).default([]),
  analyses: z.array(z.unknown()).default([]),
});

export interface ModelPatch {
  name: string;
  file: string;
  line?: number;
  description: string;
  config: PartialNodeConfig;
  columns: Record<string, ColumnInfo>;
  /** Model-level constraints. */
  constraints: Constraint[];
  tests: unknown[];
  /** A YAML snapshot's `relation:` (`ref('orders')`), and where it is written. */
  relation?: { text: string; line?: number; column?: number };
}

export interface SourceTableDefinition {
  sourceName: string;
  name: string;
  schema: string;
  identifier: string;
  description: string;
  sourceDescription: string;
  loadedAtField?: string;
  freshness?: SourceFreshness;
  columns: Record<string, ColumnInfo>;
  tests: unknown[];
  tags: string[];
  meta: Record<string, unknown>;
  file: string;
}

/** One data test as a property file declares it, on a node, a source table or one of their columns. */
export interface TestDeclaration {
  /** `unique`, `{accepted_values: {values: [...]}}`, ... as written. */
  spec: unknown;
  on: { resourceType: 'model' | 'seed' | 'snapshot' | 'source'; name: string; sourceName?: string };
  column?: string;
  file: string;
  line?: number;
}

/** One unit test as a property file declares it; `locate` finds a key path inside it, for errors at file:line. */
export interface UnitTestDeclaration {
  properties: UnitTestProperties;
  file: string;
  locate(keyPath: Array<string | number>, value?: boolean): ErrorLocation;
}

export interface PropertyFiles {
  /** Every data test declared, in file order. */
  tests: TestDeclaration[];
  unitTests: UnitTestDeclaration[];
  models: Map<string, ModelPatch>;
  /** Seeds described (or, with a `glob`, declared) in property files. */
  seeds: Map<string, ModelPatch>;
  /** Snapshots described, or with a `relation` declared, in property files. */
  snapshots: Map<string, ModelPatch>;
  sources: SourceTableDefinition[];
  files: string[];
  /** The raw sections of later resource types, by file, for the parsers of those types. */
  raw: Array<{ file: string; data: z.infer<typeof propertyFile> }>;
}

export const PROPERTY_FILE_EXTENSIONS = ['.yml', '.yaml'];

/** The description at a key path of a property file, its `{{ doc("name") }}` references replaced by docs blocks. */
type Describe = (keyPath: Array<string | number>, description: string) => string;

/** Reads the property files among `files` (project-relative paths); descriptions take docs blocks from `docs`. */
export function readPropertyFiles(root: string, files: string[], scope: PropertyTemplateScope, docs: DocBlocks = new Map()): PropertyFiles {
  const result: PropertyFiles = { tests: [], unitTests: [], models: new Map(), seeds: new Map(), snapshots: new Map(), sources: [], files: [], raw: [] };
  for (const path of files) {
    const file = readYamlFile(join(root, path), path, { transform: relationValuesAsText });
    // Parsed, then each value that calls env_var is rendered; most files call none, and are not walked.
    if (file.text.includes('env_var')) renderYamlTemplates(file, [], file.data);
    if (file.data === null || (typeof file.data === 'object' && Object.keys(file.data as object).length === 0)) continue;
    const data = validateYaml(file, propertyFile);
    const describe: Describe = (keyPath, description) => resolveDocReferences(description, docs, () => file.locate(keyPath, true));
    result.files.push(path);
    result.raw.push({ file: path, data });
    data.unit_tests.forEach((properties, index) => result.unitTests.push({ properties, file: path, locate: (keyPath, value) => file.locate(['unit_tests', index, ...keyPath], value) }));
    for (const section of ['models', 'seeds', 'snapshots'] as const) {
      data[section].forEach((entry, index) => {
        const previous = result[section].get(entry.name);
        if (previous) {
          throw new TsdbtError('config', `${section.slice(0, -1)} '${entry.name}' is described twice: in ${previous.file} and in ${path}`, { location: file.locate([section, index, 'name']) });
        }
        const written = section === 'seeds' ? renderSeedDistribution(entry.config, scope, file, [section, index, 'config']) : entry.config;
        const config = validateYaml(file, partialNodeConfig, [section, index, 'config'], written);
        result[section].set(entry.name, withLine({
          name: entry.name,
          file: path,
          description: describe([section, index, 'description'], entry.description),
          config: entry.meta ? { ...config, meta: { ...entry.meta, ...config.meta } } : config,
          columns: columnsByName(file, [section, index], entry.columns, describe),
          constraints: 'constraints' in entry ? constraintsAt(file, [section, index], entry.constraints) : [],
          tests: [...entry.tests, ...entry.data_tests],
          ...('relation' in entry && entry.relation !== undefined ? { relation: relationAt(entry.relation, file.locate([section, index, 'relation'], true)) } : {}),
        }, file, [section, index, 'name']));
        const on = { resourceType: section.slice(0, -1) as 'model' | 'seed' | 'snapshot', name: entry.name };
        result.tests.push(...declaredTests(file, [section, index], entry, on));
      });
    }
    data.sources.forEach((src, sourceIndex) => {
      src.tables.forEach((table, tableIndex) => {
        result.tests.push(...declaredTests(file, ['sources', sourceIndex, 'tables', tableIndex], table, { resourceType: 'source', name: table.name, sourceName: src.name }));
        result.sources.push({
          sourceName: src.name,
          name: table.name,
          schema: src.schema ?? src.name ?? scope.target.schema,
          identifier: table.identifier ?? table.name,
          description: describe(['sources', sourceIndex, 'tables', tableIndex, 'description'], table.description),
          sourceDescription: describe(['sources', sourceIndex, 'description'], src.description),
          loadedAtField: table.loaded_at_field ?? src.loaded_at_field,
          freshness: mergeFreshness(src.freshness, table.freshness),
          columns: columnsByName(file, ['sources', sourceIndex, 'tables', tableIndex], table.columns, describe),
          tests: [...table.tests, ...table.data_tests],
          tags: [...new Set([...src.tags, ...table.tags])],
          meta: { ...src.meta, ...table.meta },
          file: path,
        });
      });
    });
  }
  return result;
}

type TestedEntry = { tests: unknown[]; data_tests: unknown[]; columns: Array<{ name: string; tests: unknown[]; data_tests: unknown[] }> };

/** The tests of one entry and of its columns, each with the line it is written on. */
function declaredTests(file: YamlFile, at: Array<string | number>, entry: TestedEntry, on: TestDeclaration['on']): TestDeclaration[] {
  const found: TestDeclaration[] = [];
  const collect = (path: Array<string | number>, specs: unknown[], column?: string) =>
    specs.forEach((spec, index) => found.push(withLine({ spec, on, column, file: file.path }, file, [...path, index])));
  for (const key of ['tests', 'data_tests'] as const) collect([...at, key], entry[key]);
  entry.columns.forEach((column, index) => {
    for (const key of ['tests', 'data_tests'] as const) collect([...at, 'columns', index, key], column[key], column.name);
  });
  return found;
}

/**
 * dbt's rule: a table's freshness overrides its source's key by key (a table may change only `warn_after`), and a
 * table's `freshness: null` turns it off; a source's null (or none) leaves only what the table says.
 */
function mergeFreshness(source: SourceFreshness | null | undefined, table: SourceFreshness | null | undefined): SourceFreshness | undefined {
  if (table === null) return undefined;
  if (!source) return table;
  return { ...source, ...table };
}

function relationAt(text: string, { line, column }: ErrorLocation): ModelPatch['relation'] {
  return { text, line, column };
}

function columnsByName(file: YamlFile, at: Array<string | number>, columns: Array<z.infer<typeof column>>, describe: Describe): Record<string, ColumnInfo> {
  return Object.fromEntries(
    columns.map((c, index) => [
      c.name,
      withLine(
        {
          name: c.name,
          description: describe([...at, 'columns', index, 'description'], c.description),
          dataType: c.data_type,
          meta: c.meta,
          tests: [...c.tests, ...c.data_tests],
          constraints: constraintsAt(file, [...at, 'columns', index], c.constraints),
        },
        file,
        [...at, 'columns', index],
      ),
    ]),
  );
}

function constraintsAt(file: YamlFile, at: Array<string | number>, constraints: Array<z.infer<typeof constraint>>): Constraint[] {
  return constraints.map((c, index) => withLine({
    type: c.type,
    name: c.name,
    expression: c.expression,
    columns: c.columns,
    to: c.to,
    toColumns: c.to_columns,
    warnUnenforced: c.warn_unenforced,
    warnUnsupported: c.warn_unsupported,
  }, file, [...at, 'constraints', index]));
}
