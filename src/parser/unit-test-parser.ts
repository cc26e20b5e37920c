import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { didYouMean, TsdbtError, type ErrorLocation } from '../core/errors.js';
import type { FixtureRows, GraphNode, UnitTestInput } from '../core/nodes.js';
import { parseCsvRows } from '../testing/fixture-rows.js';
import type { ParsedProject } from './project-parser.js';
import type { UnitTestDeclaration, UnitTestProperties } from './property-files.js';
import { parseRelationCall } from './relation-call.js';
import { commonNodeFields } from './node-fields.js';

/** dbt's place for fixture files: `fixture: orders` is `<test path>/fixtures/orders.csv`. */
const FIXTURE_FOLDER = 'fixtures';

/**
 * Unit tests: each `unit_tests:` entry of a property file becomes a node that reads no table. Its model must exist,
 * and its `given` must name exactly the refs and sources the model reads (and maybe `this`), so that running it never
 * reaches a real relation.
 */
export function parseUnitTests(parsed: ParsedProject): void {
  for (const declaration of parsed.properties.unitTests) addUnitTest(parsed, declaration);
}

function addUnitTest(parsed: ParsedProject, declaration: UnitTestDeclaration): void {
  const { project } = parsed;
  const { properties, file, locate } = declaration;
  // The tests of a disabled model go with it, as in dbt.
  if (!properties.config.enabled || parsed.disabled.has(properties.model)) return;
  const model = parsed.nodes.get(`model.${project.name}.${properties.model}`);
  if (!model) {
    const models = [...parsed.nodes.values()].filter((node) => node.resourceType === 'model').map((node) => node.name);
    throw new TsdbtError('config', `unit test '${properties.name}' tests model '${properties.model}', which does not exist`, {
      location: locate(['model'], true),
      hint: didYouMean(properties.model, models) ?? 'model: names a model (a file under model-paths, without its extension)',
    });
  }
  const given = properties.given.map((entry, index): UnitTestInput => ({ input: readInput(entry.input, locate(['given', index, 'input'], true)), rows: readRows(parsed, entry, (path) => locate(['given', index, ...path], true)) }));
  checkInputs(properties, model, given, locate);
  const uniqueId = `unit_test.${project.name}.${model.name}.${properties.name}`;
  if (parsed.nodes.has(uniqueId)) {
    throw new TsdbtError('config', `model '${model.name}' has two unit tests named '${properties.name}'`, { location: locate(['name'], true) });
  }
  const rawCode = JSON.stringify(properties);
  const tags = typeof properties.config.tags === 'string' ? [properties.config.tags] : properties.config.tags;
  const node: GraphNode = {
    uniqueId,
    resourceType: 'unit_test',
    name: properties.name,
    ...commonNodeFields(project.name, rawCode),
    originalFilePath: file,
    fqn: [...model.fqn, properties.name],
    config: { enabled: true, materialized: 'unit_test', tags, meta: properties.config.meta },
    description: properties.description,
    columns: {},
    // It reads no table: its inputs are its own rows.
    refs: [],
    sources: [],
    // Never built; the model's, for what names a node by its relation.
    relation: model.relation,
    test: { attachedNode: model.uniqueId, kwargs: {} },
    unitTest: {
      given,
      expect: readRows(parsed, properties.expect, (path) => locate(['expect', ...path], true)),
      isIncremental: properties.overrides.macros.is_incremental ?? false,
      vars: properties.overrides.vars,
    },
  };
  parsed.nodes.set(uniqueId, node);
}

function readInput(text: string, at: ErrorLocation): UnitTestInput['input'] {
  if (text.trim() === 'this') return { kind: 'this' };
  const call = parseRelationCall(text);
  if (!call) throw new TsdbtError('config', `input must be ref('model'), source('source', 'table') or this, got '${text}'`, { location: at });
  return call;
}

function describeInput(input: UnitTestInput['input']): string {
  return input.kind === 'ref' ? `ref('${input.name}')` : input.kind === 'source' ? `source('${input.source}', '${input.table}')` : 'this';
}

/** Every input the model reads is given, once, and nothing else is (but `this`, which any model may read). */
function checkInputs(properties: UnitTestProperties, model: GraphNode, given: UnitTestInput[], locate: UnitTestDeclaration['locate']): void {
  const reads = new Set([...model.refs.map((ref) => describeInput({ kind: 'ref', name: ref.name })), ...model.sources.map((call) => describeInput({ kind: 'source', ...call }))]);
  const seen = new Set<string>();
  given.forEach(({ input }, index) => {
    const name = describeInput(input);
    const at = locate(['given', index, 'input'], true);
    if (seen.has(name)) throw new TsdbtError('config', `unit test '${properties.name}' gives ${name} twice`, { location: at });
    seen.add(name);
    if (input.kind !== 'this' && !reads.has(name)) {
      throw new TsdbtError('config', `unit test '${properties.name}' gives ${name}, which model '${model.name}' does not read`, {
        location: at,
        hint: reads.size > 0 ? `it reads ${[...reads].join(', ')}` : 'it reads no ref or source',
      });
    }
  });
  const missing = [...reads].filter((name) => !seen.has(name));
  if (missing.length > 0) {
    throw new TsdbtError('config', `unit test '${properties.name}' gives no rows for ${missing.join(', ')}, which model '${model.name}' reads`, {
      location: locate(properties.given.length > 0 ? ['given'] : ['name'], properties.given.length === 0),
      hint: `add - input: ${missing[0]} with its rows (rows: [] for none)`,
    });
  }
}

/** Inline rows (a list of mappings, or CSV text), or a CSV fixture file; CSV is parsed here so its errors have a line. */
function readRows(parsed: ParsedProject, fixture: UnitTestProperties['expect'], locate: (path: string[]) => ErrorLocation): FixtureRows {
  if (fixture.fixture !== undefined) {
    if (fixture.format !== 'csv') throw new TsdbtError('config', 'a fixture file is CSV: add format: csv', { location: locate(['fixture']) });
    if (fixture.rows !== undefined) throw new TsdbtError('config', 'give rows or a fixture, not both', { location: locate(['fixture']) });
    const path = fixturePath(parsed, fixture.fixture, locate(['fixture']));
    return { format: 'csv', rows: parseCsvRows(readFileSync(join(parsed.project.root, path), 'utf8'), (line) => ({ file: path, line })) };
  }
  const rows = fixture.rows ?? [];
  if (fixture.format === 'csv') {
    if (typeof rows !== 'string') throw new TsdbtError('config', 'format: csv takes its rows as CSV text (rows: |, then a header line and one line per row)', { location: locate(['rows']) });
    const at = locate(['rows']);
    // A block scalar's text starts on the line after `rows: |`.
    return { format: 'csv', rows: parseCsvRows(rows, (line) => ({ file: at.file, line: at.line === undefined ? undefined : at.line + line })) };
  }
  if (typeof rows === 'string') throw new TsdbtError('config', 'rows written as text are CSV: add format: csv', { location: locate(['rows']) });
  return { format: 'dict', rows };
}

function fixturePath(parsed: ParsedProject, name: string, at: ErrorLocation): string {
  const candidates = parsed.project.testPaths.map((testPath) => `${testPath}/${FIXTURE_FOLDER}/${name}.csv`);
  const found = candidates.find((path) => existsSync(join(parsed.project.root, path)));
  if (!found) throw new TsdbtError('config', `fixture '${name}' does not exist`, { location: at, hint: `looked for ${candidates.join(', ')}` });
  return found;
}
