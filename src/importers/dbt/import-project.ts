import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { PROJECT_FILE } from '../../config/project.js';
import { TsdbtError } from '../../core/errors.js';
import { walkFiles, writeFileAtomic } from '../../util/files.js';
import { LineIndex } from '../../util/line-index.js';
import { parseDocument } from 'yaml';
import { filterHelpersSource } from './jinja-filters.js';
import { JinjaSyntaxError } from './jinja-lexer.js';
import { parseTemplate, type Node } from './jinja-parser.js';
import { REPORT_FILE, type ImportIssue, type ImportReport } from './import-report.js';
import { convertProjectFile, DBT_PROJECT_FILE, readDbtProject, type DbtProject, type MovedConfig } from './project-file.js';
import { escapeText, marker, TemplateTranslator, type ImportContext } from './translator.js';
import { typescriptMacro } from './typescript-macro.js';

export interface ImportOptions {
  /** The dbt project's folder. */
  source: string;
  /** The folder to write the tsdbt project into. */
  destination: string;
  /** Report only: write nothing. */
  check: boolean;
}

/** Folders of a dbt project that are its outputs or installed packages, never imported. */
const SKIPPED_FOLDERS = new Set(['.git', 'target', 'dbt_packages', 'dbt_modules', 'logs', 'node_modules', '.venv', 'venv', '.user.yml']);
/** Macros dbt calls by name that tsdbt does not: importing them would change nothing, silently. */
const UNCALLED_MACROS: Record<string, string> = {
  generate_alias_name: 'tsdbt does not call generate_alias_name: relations are named after their model (or alias config)',
  generate_database_name: 'tsdbt does not call generate_database_name: a target has one database',
};
/** The parameters tsdbt renders `generate_schema_name` with, in dbt's order. */
const SCHEMA_NAME_CONTEXT = ['custom_schema_name', 'node'];
/** Names Handlebars reserves for tsdbt's own helpers: a macro of that name cannot be a partial called by it. */
const RESERVED_MACROS = new Set(['ref', 'source', 'config', 'var', 'env_var', 'is_incremental']);

interface SourceFile {
  path: string;
  role: 'model' | 'analysis' | 'test' | 'macro' | 'snapshot' | 'copy';
  /** The model path it lies under (for a model's fqn). */
  base?: string;
}

/** Reads a dbt project and writes (unless `check`) the tsdbt project it becomes; returns what was left. */
export function importDbtProject(options: ImportOptions): ImportReport {
  const projectFile = join(options.source, DBT_PROJECT_FILE);
  if (!existsSync(projectFile)) {
    throw new TsdbtError('usage', `no ${DBT_PROJECT_FILE} in ${options.source}`, { hint: 'tsdbt import dbt SRC [DEST]: SRC is the folder of a dbt project' });
  }
  const projectText = readFileSync(projectFile, 'utf8');
  const project = readDbtProject(projectText);
  const files = sourceFiles(options.source, project);
  const context: ImportContext = { projectName: project.name, macros: new Map(), runtimeFilters: new Set() };
  const outputs = new Map<string, string | Buffer>();
  const left: ImportIssue[] = [];
  const notes: ImportIssue[] = [];
  const moved: MovedConfig[] = [];
  let translated = 0;

  const parsed = new Map<string, { source: string; nodes: Node[] }>();
  const parse = (file: SourceFile) => {
    const source = readFileSync(join(options.source, file.path), 'utf8');
    try {
      const nodes = parseTemplate(source);
      parsed.set(file.path, { source, nodes });
      return { source, nodes };
    } catch (error) {
      if (!(error instanceof JinjaSyntaxError)) throw error;
      const translation = TemplateTranslator.translateTemplate(context, file.path, source);
      left.push(...translation.left);
      outputs.set(file.path, translation.text);
      return undefined;
    }
  };

  // Macros first: every call site needs their parameters, and whether each is a partial or a TypeScript helper.
  const macroNodes: Array<{ path: string; source: string; node: Extract<Node, { kind: 'macro' }> }> = [];
  for (const file of files.filter((f) => f.role === 'macro')) {
    const entry = parse(file);
    for (const node of entry?.nodes ?? []) {
      if (node.kind !== 'macro' || node.keyword !== 'macro') continue;
      context.macros.set(node.name, { name: node.name, params: node.params, kind: 'partial' });
      macroNodes.push({ path: file.path, source: entry!.source, node });
    }
  }
  const helpers = new Map<string, string>();
  for (const { path, source, node } of macroNodes) {
    // A macro Handlebars cannot say (a return value, arithmetic) is a helper when it is a pure function of its arguments.
    const attempt = new TemplateTranslator({ ...context, runtimeFilters: new Set() }, path, source, true);
    attempt.macroBody(node.body, node.params);
    if (attempt.finish('').left.length === 0 && !returnsValue(node.body)) continue;
    const helper = typescriptMacro(node);
    if (helper === undefined) continue;
    helpers.set(node.name, helper);
    context.macros.set(node.name, { name: node.name, params: node.params, kind: 'helper' });
  }
  for (const file of files) {
    if (file.role === 'copy') {
      outputs.set(file.path, readFileSync(join(options.source, file.path)));
      if (file.path.endsWith('.py') && project.modelPaths.some((base) => file.path.startsWith(`${base.replace(/\/+$/, '')}/`))) {
        left.push({ file: file.path, line: 1, column: 1, construct: file.path, reason: 'a Python model: tsdbt builds SQL and TypeScript models; copied as it is, not built' });
      }
      continue;
    }
    translated++;
    if (file.role === 'macro') {
      const entry = parsed.get(file.path);
      if (entry) importMacros(file.path, entry.source, entry.nodes);
      continue;
    }
    if (file.role === 'snapshot') {
      const entry = parse(file);
      if (entry) importSnapshots(file.path, entry.source, entry.nodes);
      continue;
    }
    const source = readFileSync(join(options.source, file.path), 'utf8');
    const translation = TemplateTranslator.translateTemplate(context, file.path, source);
    left.push(...translation.left);
    outputs.set(file.path, translation.text);
    if (Object.keys(translation.movedConfig).length > 0) {
      if (file.role === 'model') moved.push({ resource: 'models', path: fqnPath(file), config: translation.movedConfig });
      else left.push({ file: file.path, line: 1, column: 1, construct: 'config(...)', reason: `config ${Object.keys(translation.movedConfig).join(', ')} holds a mapping, which only a model's project config can take` });
    }
  }

  if (context.runtimeFilters.size > 0) outputs.set(posix.join(project.macroPaths[0]!, 'jinja_filters.ts'), filterHelpersSource(context.runtimeFilters));
  const conversion = convertProjectFile(projectText, context, moved);
  outputs.set(PROJECT_FILE, conversion.text);
  left.push(...conversion.left);
  notes.push(...conversion.notes);
  notes.push(...packageNotes(options.source));
  if (existsSync(join(options.source, 'selectors.yml'))) {
    notes.push({ file: 'selectors.yml', line: 1, column: 1, construct: 'selectors.yml', reason: 'copied; tsdbt does not read selectors.yml: pass the selection with -s' });
  }

  const report: ImportReport = {
    source: options.source,
    destination: options.check ? undefined : options.destination,
    files: { translated, copied: files.length - translated },
    left: distinct(left),
    notes,
  };
  if (!options.check) {
    for (const [path, content] of outputs) writeFileAtomic(join(options.destination, path), content);
    writeFileAtomic(join(options.destination, REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;

  /** Each `{% macro %}` becomes a partial of its own name beside its file; each `{% test %}` a generic test. */
  function importMacros(path: string, source: string, nodes: Node[]): void {
    const folder = posix.dirname(path);
    for (const node of nodes) {
      if (node.kind === 'text') continue;
      const translator = new TemplateTranslator(context, path, source, true);
      if (node.kind !== 'macro') {
        if (node.kind === 'other' && node.keyword === 'docs') continue;
        translator.report(node.tag.offset, node.tag.raw, 'only {% macro %} and {% test %} blocks of a macro file are imported');
        left.push(...translator.finish('').left);
        continue;
      }
      const helper = helpers.get(node.name);
      if (helper !== undefined) {
        outputs.set(posix.join(folder, `${node.name}.ts`), helper);
        continue;
      }
      const reason = UNCALLED_MACROS[node.name] ?? (RESERVED_MACROS.has(node.name) ? `a macro named '${node.name}' would replace tsdbt's own helper` : undefined);
      const contextNames = node.name === 'generate_schema_name' ? SCHEMA_NAME_CONTEXT : [];
      const body = translator.macroBody(node.body, node.params, { contextNames, defaultsInBody: node.keyword === 'test' });
      if (reason) translator.report(node.tag.offset, node.tag.raw, reason);
      const { text, left: issues } = translator.finish(reason ? `${marker(reason)}${escapeText(node.tag.raw)}${body}` : body);
      left.push(...issues);
      // A generic test is tests/generic/<name>.sql, or macros/test_<name>.sql among the macros.
      const prefix = node.keyword === 'test' && !isGenericTestFile(path) ? 'test_' : '';
      outputs.set(posix.join(folder, `${prefix}${node.name}.sql`), text);
    }
  }

  /** Each `{% snapshot name %}` block becomes `name.sql` beside its file. */
  function importSnapshots(path: string, source: string, nodes: Node[]): void {
    for (const node of nodes) {
      if (node.kind === 'text') continue;
      const translator = new TemplateTranslator(context, path, source);
      if (node.kind !== 'snapshot') {
        translator.report(node.tag.offset, node.tag.raw, 'only {% snapshot %} blocks of a snapshot file are imported');
        left.push(...translator.finish('').left);
        continue;
      }
      const { text, left: issues } = translator.finish(translator.translateBody(node.body).trim() + '\n');
      left.push(...issues);
      outputs.set(posix.join(posix.dirname(path), `${node.name}.sql`), text);
    }
  }
}

/** Whether a macro body calls return(): its value, not its text, is what callers use. */
function returnsValue(nodes: Node[]): boolean {
  return nodes.some((node) => {
    if (node.kind === 'output') return node.expr.kind === 'call' && node.expr.callee.kind === 'name' && node.expr.callee.name === 'return';
    if (node.kind === 'if') return node.branches.some((branch) => returnsValue(branch.body)) || returnsValue(node.otherwise ?? []);
    return node.kind === 'for' || node.kind === 'set-block' ? returnsValue(node.body) : false;
  });
}

/** Each issue once: an unrolled loop meets the same construct once per item. */
function distinct(issues: ImportIssue[]): ImportIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify(issue);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The folders below its model path and its name: where a model's config goes in the project file's tree. */
function fqnPath(file: SourceFile): string[] {
  const inside = file.path.slice(file.base!.length + 1).replace(/\.sql$/, '');
  return inside.split('/');
}

/** Every file of the project but its outputs and packages, with what the importer does with it. */
function sourceFiles(root: string, project: DbtProject): SourceFile[] {
  const paths = readdirSync(root, { withFileTypes: true })
    .filter((entry) => !SKIPPED_FOLDERS.has(entry.name) && entry.name !== DBT_PROJECT_FILE)
    .flatMap((entry) => (entry.isDirectory() ? walkFiles(root, entry.name) : [entry.name]))
    .sort();
  const roles: Array<[string[], SourceFile['role']]> = [
    [project.modelPaths, 'model'],
    [project.analysisPaths, 'analysis'],
    [project.macroPaths, 'macro'],
    [project.snapshotPaths, 'snapshot'],
    [project.testPaths, 'test'],
  ];
  return paths.map((path) => {
    if (!path.endsWith('.sql')) return { path, role: 'copy' };
    for (const [bases, role] of roles) {
      const base = bases.map((b) => b.replace(/\/+$/, '')).find((b) => path.startsWith(`${b}/`));
      if (base) return { path, role: role === 'test' && isGenericTestFile(path) ? 'macro' : role, base };
    }
    return { path, role: 'copy' };
  });
}

/** dbt's generic tests live in `tests/generic/` as `{% test %}` blocks, read like macros. */
function isGenericTestFile(path: string): boolean {
  return path.split('/').includes('generic');
}

/** packages.yml: dbt_utils is built into tsdbt; any other package's macros are not there. */
function packageNotes(root: string): ImportIssue[] {
  const notes: ImportIssue[] = [];
  for (const file of ['packages.yml', 'dependencies.yml']) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const lines = new LineIndex(text);
    const packages = (parseDocument(text).toJS() as { packages?: Array<Record<string, unknown>> } | null)?.packages ?? [];
    for (const entry of packages) {
      const name = String(entry.package ?? entry.git ?? entry.local ?? '?');
      const { line, column } = lines.positionOf(Math.max(0, text.indexOf(name)));
      const issue = { file, line, column, construct: name };
      if (basename(name) === 'dbt_utils' || name.endsWith('dbt-utils') || name.endsWith('dbt-utils.git')) notes.push({ ...issue, reason: 'dbt_utils is built into tsdbt: nothing to install' });
      else notes.push({ ...issue, reason: `package '${name}' is not part of tsdbt: calls to its macros are reported where they are` });
    }
  }
  return notes;
}
