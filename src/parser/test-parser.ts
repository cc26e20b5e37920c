import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { derivedIdentifier, quoteIdentifier } from '../adapters/sql.js';
import { mergeConfigs, partialNodeConfig, type PartialNodeConfig } from '../core/node-config.js';
import { validateYaml } from '../config/yaml-file.js';
import { didYouMean, TsdbtError } from '../core/errors.js';
import type { RefCall, SourceCall, SourceLocation, TestSpec } from '../core/nodes.js';
import type { ModelTemplate } from '../templating/environment.js';
import { customGenericTest } from '../testing/custom-tests.js';
import { BUILTIN_GENERIC_TESTS, type GenericTest } from '../testing/generic-tests.js';
import { DBT_UTILS_GENERIC_TESTS } from '../testing/dbt-utils-tests.js';
import { filterByExtension } from '../util/files.js';
import { recordingHooks, recordTemplate, type ParsedProject } from './project-parser.js';
import type { TestDeclaration } from './property-files.js';
import { parseRelationCall } from './relation-call.js';
import { commonNodeFields } from './node-fields.js';
import { genericTestUniqueId, splitTestName, synthesizeTestNames, testedModelArgument } from './test-names.js';

/** PostgreSQL's, for the relation that keeps a test's failures. */
const MAX_IDENTIFIER_LENGTH = 63;
/** Generic tests are kept in this folder of a test path, and are not singular tests. */
const GENERIC_FOLDER = 'generic';
/** A macro named `test_<name>` defines the generic test `<name>`, as dbt's `{% test name() %}` blocks do. */
const MACRO_PREFIX = 'test_';
/** `dbt_utils.unique_combination_of_columns` names dbt_utils' test, built in, as property files written for dbt do. */
const DBT_UTILS_PREFIX = 'dbt_utils.';

/**
 * Data tests: the generic tests declared in property files (on models, seeds, snapshots, source tables and their
 * columns) and the singular tests under test-paths, each a node of its own reading what it tests.
 */
export function parseTests(parsed: ParsedProject, testFiles: Map<string, string[]>): void {
  const generics = genericTests(parsed, testFiles);
  // Each test's file by name: a generic test's unique id has a hash, and two of one name would share a relation.
  const named = new Map<string, string>();
  for (const declaration of parsed.properties.tests) addGenericTest(parsed, named, generics, declaration);
  for (const [testPath, files] of testFiles) {
    for (const file of filterByExtension(files, ['.sql'])) {
      if (!file.startsWith(`${testPath}/${GENERIC_FOLDER}/`)) addSingularTest(parsed, named, testPath, file);
    }
  }
}

/** tsdbt's generic tests and dbt_utils', then the project's, which may replace them. */
function genericTests(parsed: ParsedProject, testFiles: Map<string, string[]>): Map<string, GenericTest> {
  const tests = new Map([...BUILTIN_GENERIC_TESTS, ...DBT_UTILS_GENERIC_TESTS]);
  for (const [name, partial] of parsed.env.macros.partials) {
    if (name.startsWith(MACRO_PREFIX)) tests.set(name.slice(MACRO_PREFIX.length), customGenericTest(name.slice(MACRO_PREFIX.length), parsed.env.compile(partial.source, partial.file)));
  }
  for (const [testPath, files] of testFiles) {
    for (const file of filterByExtension(files, ['.sql']).filter((f) => f.startsWith(`${testPath}/${GENERIC_FOLDER}/`))) {
      const name = basename(file, '.sql');
      tests.set(name, customGenericTest(name, parsed.env.compile(readFileSync(join(parsed.project.root, file), 'utf8'), file)));
    }
  }
  return tests;
}

interface TestCall {
  testName: string;
  args: Record<string, unknown>;
  config: PartialNodeConfig;
  name?: string;
}

/** The keys dbt reads as the test's config when written beside its arguments (`severity: warn`); the rest are arguments. */
const CONFIG_ARGUMENTS = new Set(['severity', 'tags', 'enabled', 'where', 'limit', 'warn_if', 'error_if', 'fail_calc', 'store_failures', 'store_failures_as', 'sql_header', 'meta', 'database', 'schema', 'alias']);

/** `unique`, or `{accepted_values: {values: [...], quote: false, config: {...}, severity: warn, name: ...}}`. */
function readCall(declaration: TestDeclaration): TestCall {
  const { spec, file } = declaration;
  const fail = (message: string, hint?: string) => new TsdbtError('config', message, { location: { file, line: declaration.line }, hint });
  if (typeof spec === 'string') return { testName: spec, args: {}, config: {} };
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || Object.keys(spec).length !== 1) {
    throw fail('a test is a name (- unique) or a mapping of one name to its arguments (- accepted_values: {values: [a, b]})');
  }
  const [testName, body] = Object.entries(spec)[0]!;
  if (body !== null && body !== undefined && (typeof body !== 'object' || Array.isArray(body))) throw fail(`the arguments of test '${testName}' must be a mapping`);
  const args: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  let name: string | undefined;
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (key === 'config') Object.assign(config, value as object);
    else if (key === 'arguments') Object.assign(args, value as object);
    else if (key === 'name') name = String(value);
    else if (key === 'description') continue;
    else if (CONFIG_ARGUMENTS.has(key)) config[key] = value;
    else args[key] = value;
  }
  const validated = validateYaml({ text: '', data: config, locate: () => ({ file, line: declaration.line }) }, partialNodeConfig);
  return { testName, args, config: validated, name };
}

function addGenericTest(parsed: ParsedProject, named: Map<string, string>, generics: Map<string, GenericTest>, declaration: TestDeclaration): void {
  const { project } = parsed;
  const { on, column, file } = declaration;
  const attachedNode = on.resourceType === 'source' ? `source.${project.name}.${on.sourceName}.${on.name}` : `${on.resourceType}.${project.name}.${on.name}`;
  // Tests of a disabled or missing node go with it, as in dbt.
  if (!parsed.nodes.has(attachedNode) && !parsed.sources.has(attachedNode)) return;
  const lookUp = (name: string) => (name.startsWith(DBT_UTILS_PREFIX) ? DBT_UTILS_GENERIC_TESTS.get(name.slice(DBT_UTILS_PREFIX.length)) : generics.get(name));
  const call = readCall(declaration);
  const dbtUtils = call.testName.startsWith(DBT_UTILS_PREFIX);
  const generic = lookUp(call.testName);
  // Lines are found only when an error needs one (locating is slow).
  const at = { file, get line() { return declaration.line; } };
  if (!generic) {
    throw new TsdbtError('config', `unknown test '${call.testName}'`, {
      location: at,
      hint: dbtUtils
        ? `dbt_utils' tests built in: ${[...DBT_UTILS_GENERIC_TESTS.keys()].join(', ')}`
        : (didYouMean(call.testName, generics.keys()) ?? `tsdbt's tests: ${[...BUILTIN_GENERIC_TESTS.keys(), ...DBT_UTILS_GENERIC_TESTS.keys()].join(', ')}; a project's own go in tests/generic/<name>.sql`),
    });
  }
  checkArguments(generic, call, column, at);
  const { name, shortName, uniqueId, metadata } = dbtIdentity(project.name, call, on, column);
  const loc: SourceLocation = { get line() { return declaration.line ?? 1; }, column: 1 };
  const template: ModelTemplate = {
    isStatic: false,
    render: (hooks) => {
      const relation = on.resourceType === 'source' ? hooks.source(on.sourceName!, on.name, loc) : hooks.ref(on.name, loc);
      const config = parsed.nodes.get(uniqueId)?.config;
      const where = config?.where;
      const model = where ? `(select * from ${relation} where ${where}) as dbt_subquery` : relation;
      return generic.render({
        model,
        column: column === undefined ? undefined : quoteIdentifier(column),
        columnName: column,
        storeFailures: config?.store_failures === true,
        args: call.args,
        hooks,
        relation: (text, argument) => {
          const target = parseRelationCall(text);
          if (!target) throw new TsdbtError('config', `${call.testName}: '${argument}' must be ref('model') or source('source', 'table'), got '${text}'`, { location: at });
          return target.kind === 'ref' ? hooks.ref(target.name, loc) : hooks.source(target.source, target.table, loc);
        },
      });
    },
  };
  // Rendered once with recording hooks: the refs and sources it reads, the tested node's included.
  const recording = recordingHooks(parsed, file, '', name);
  template.render(recording.hooks);
  const { refs, sources } = recording.recorded();
  addTest(parsed, named, {
    uniqueId,
    name,
    identifier: shortName,
    file,
    rawCode: JSON.stringify(declaration.spec),
    template,
    refs,
    sources,
    config: generic.failCalc ? [{ fail_calc: generic.failCalc }, call.config] : [call.config],
    test: { testName: call.testName, namespace: metadata.namespace, kwargs: metadata.kwargs, attachedNode, columnName: column },
    at,
  });
}

/** Missing and unknown arguments are config errors at the test, not SQL errors at run time. */
function checkArguments(generic: GenericTest, call: TestCall, column: string | undefined, at: { file: string; line?: number }): void {
  const missing = generic.required.filter((argument) => call.args[argument] === undefined);
  if (missing.length > 0) throw new TsdbtError('config', `test '${generic.name}' needs ${missing.map((argument) => `'${argument}'`).join(' and ')}`, { location: at });
  if (generic.optional) {
    const known = [...generic.required, ...generic.optional];
    const unknown = Object.keys(call.args).filter((argument) => !known.includes(argument));
    if (unknown.length > 0) {
      throw new TsdbtError('config', `test '${generic.name}' takes no argument '${unknown[0]}'`, {
        location: at,
        hint: didYouMean(unknown[0]!, known) ?? (known.length > 0 ? `it takes ${known.join(', ')}` : 'it takes no arguments'),
      });
    }
  }
  if (generic.needsColumn === true && column === undefined) throw new TsdbtError('config', `test '${generic.name}' tests a column: declare it under the column's tests`, { location: at });
}

/**
 * dbt's name and unique id: `accepted_values_orders_status__placed__shipped` (or the `name:` written) and
 * `test.<project>.<name>.<hash>`, the hash over the test and its arguments; the short name is the relation's.
 */
function dbtIdentity(projectName: string, call: TestCall, on: TestDeclaration['on'], column: string | undefined) {
  const { namespace, name: test } = splitTestName(call.testName);
  const kwargs: Record<string, unknown> = { ...call.args, ...(column === undefined ? {} : { column_name: column }), model: testedModelArgument(on) };
  const prefix = `${namespace === null ? '' : `${namespace}_`}${on.resourceType === 'source' ? 'source_' : ''}${test}`;
  const tested = on.resourceType === 'source' ? `${on.sourceName}_${on.name}` : on.name;
  const synthesized = synthesizeTestNames(prefix, tested, kwargs);
  const name = call.name ?? synthesized.fullName;
  const metadata = { name: test, namespace, kwargs };
  return { name, shortName: call.name ?? synthesized.shortName, uniqueId: genericTestUniqueId(projectName, name, metadata), metadata };
}

function addSingularTest(parsed: ParsedProject, named: Map<string, string>, testPath: string, file: string): void {
  const rawCode = readFileSync(join(parsed.project.root, file), 'utf8');
  const name = basename(file, '.sql');
  const recorded = recordTemplate(parsed, file, rawCode, name);
  addTest(parsed, named, { uniqueId: `test.${parsed.project.name}.${name}`, name, identifier: name, file, rawCode, template: recorded.template, refs: recorded.refs, sources: recorded.sources, config: recorded.inFile, test: { kwargs: {} }, at: { file }, testPath });
}

interface TestDefinition {
  uniqueId: string;
  name: string;
  /** The relation that keeps its failures, and its compiled file, are named so (dbt's alias). */
  identifier: string;
  file: string;
  rawCode: string;
  template: ModelTemplate;
  refs: RefCall[];
  sources: SourceCall[];
  config: PartialNodeConfig[];
  test: TestSpec;
  at: { file: string; line?: number };
  /** A singular test's test path, for its fqn. */
  testPath?: string;
}

function addTest(parsed: ParsedProject, named: Map<string, string>, definition: TestDefinition): void {
  const { project, target } = parsed;
  const { uniqueId, name, file, at } = definition;
  const previous = named.get(name);
  if (previous !== undefined) {
    throw new TsdbtError('config', `two tests are named '${name}' (${previous} and ${file})`, {
      location: at,
      hint: 'give one of them a name: (- unique: {name: orders_id_is_unique})',
    });
  }
  // dbt's fqn: a singular test's folders under its test path; a generic test's, those of its property file under
  // the resource path (`models/staging/schema.yml` gives [project, staging, name]).
  const folders = definition.testPath ? file.slice(definition.testPath.length + 1).split('/').slice(0, -1) : file.split('/').slice(1, -1);
  const fqn = [project.name, ...folders, name];
  const config = mergeConfigs({ materialized: 'test' }, [...project.configFor('tests', fqn), ...definition.config]);
  if (!config.enabled) return;
  parsed.templates.set(uniqueId, definition.template);
  named.set(name, file);
  parsed.nodes.set(uniqueId, {
    uniqueId,
    resourceType: 'test',
    name,
    ...commonNodeFields(project.name, definition.rawCode),
    originalFilePath: file,
    fqn,
    config: { severity: 'error', ...config },
    description: '',
    columns: {},
    refs: definition.refs,
    sources: definition.sources,
    // Where store_failures keeps the failing rows.
    relation: { schema: `${target.schema}_test_failures`, identifier: derivedIdentifier(definition.identifier, '', MAX_IDENTIFIER_LENGTH) },
    test: definition.test,
  });
}
