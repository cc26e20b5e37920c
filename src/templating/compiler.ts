import { quoteIdentifier, quoteRelation } from '../adapters/sql.js';
import type { ProjectGraph } from '../graph/dag.js';
import { TsdbtError } from '../core/errors.js';
import { RESOURCE_KINDS } from '../core/node-kinds.js';
import type { GraphNode, Relation, SourceLocation, SourceNode } from '../core/nodes.js';
import { isEphemeral } from '../materializations/registry.js';
import type { Project } from '../config/project.js';
import { resolveVariable } from './variables.js';
import type { RenderOptions } from '../core/render.js';
import { batchFilter, timestampText } from '../materializations/incremental/batch-filter.js';
import type { ModelTemplate, TemplateEnvironment } from './environment.js';
import { TemplateScope, type CompileTimeDatabase, type RenderHooks, type TargetScope } from './render-hooks.js';
import type { TemplateStore } from './template-store.js';
import type { TemplatePosition } from './source-map.js';
import { DatabaseAnswers, renderReading, type Questions, type ReadDatabase } from './compile-time-database.js';
import { hasRejects, rejectsRelation } from '../loaders/json-seed-table.js';
import { MAX_IDENTIFIER_LENGTH } from '../core/constants.js';

export interface CompiledNode {
  uniqueId: string;
  /** The SELECT, with ephemeral models inlined as CTEs. */
  sql: string;
}

/** What the compiler reads of a parsed project (the parser's `ParsedProject`, which has more). */
export interface CompilerInput {
  project: Pick<Project, 'name'>;
  env: TemplateEnvironment;
  target: TargetScope;
  vars: Record<string, unknown>;
  nodes: ReadonlyMap<string, GraphNode>;
  sources: ReadonlyMap<string, SourceNode>;
  templates: TemplateStore;
}

/** Renders nodes with refs and sources resolved to relation names; ephemeral refs become CTEs. */
export class Compiler<Parsed extends CompilerInput = CompilerInput> {
  private readonly rendered = new Map<string, Rendered>();
  /** What templates read of the database while compiled (dbt_utils.star), kept for the command. */
  private readonly answers = new DatabaseAnswers();
  /** The questions of the rendering under way (renderings are synchronous: one at a time). */
  private asking: Questions | undefined;
  private readonly database = refusingEphemerals(this.answers.readFor(() => this.asking));

  constructor(
    readonly parsed: Parsed,
    private readonly graph: ProjectGraph,
    /** `--defer`: unique id → the state manifest's relation, which refs to that node name instead of its own. */
    private readonly deferred: ReadonlyMap<string, Relation> = new Map(),
  ) {}

  /**
   * Compiles a node, asking the database what its templates read while compiled (dbt_utils.star's columns, a
   * get_column_values query) and rendering again with the answers, as often as a new answer raises new questions.
   */
  async compile(uniqueId: string, options: RenderOptions, read: ReadDatabase): Promise<CompiledNode> {
    return renderReading(this.answers, (questions) => this.askingInto(questions, () => this.renderCompiled(uniqueId, options)), read, this.model(uniqueId).originalFilePath);
  }

  /** Runs a rendering with `questions` keeping what it asks the database. */
  private askingInto<T>(questions: Questions, render: () => T): T {
    this.asking = questions;
    try {
      return render();
    } finally {
      this.asking = undefined;
    }
  }

  private renderCompiled(uniqueId: string, options: RenderOptions): CompiledNode {
    const { sql, ephemerals, batchFilters } = this.render(uniqueId, options);
    const ctes = this.ephemeralClosure(ephemerals).map((id) => {
      const node = this.model(id);
      return `${cteName(node)} as (\n${this.render(id).sql}\n)`;
    });
    return { uniqueId, sql: injectCtes(sql, [...batchFilters, ...ctes]) };
  }

  /** Renders a template that is not a node (`show --inline`), with the same refs and sources. */
  compileInline(source: string, read: ReadDatabase): Promise<string> {
    return this.compileHook(source, '<inline>', read);
  }

  /**
   * Where the character at `offset` of a model's compiled SQL (rendered with `options`) was written in its template:
   * the model is rendered again, tracing each character. Undefined in the CTEs put in front of the model's own SQL,
   * and when the second rendering differs from the first (a macro helper reading the clock).
   */
  templatePosition(uniqueId: string, options: RenderOptions, compiledSql: string, offset: number): TemplatePosition | undefined {
    const node = this.model(uniqueId);
    if (!this.parsed.templates.has(uniqueId)) return undefined;
    let traced;
    try {
      traced = this.parsed.env.renderTraced(node.rawCode, this.hooks(node.relation, [], options, []));
    } catch {
      return undefined;
    }
    // The compiled SQL ends with the model's own rendering; what comes before it is CTEs.
    const rendered = stripTrailingSemicolons(traced.text);
    const at = offset - (compiledSql.length - rendered.length);
    if (at < 0 || at > rendered.length || !compiledSql.endsWith(rendered.slice(at))) return undefined;
    return traced.positionAt(at);
  }

  /** Only the full build's rendering is cached: incremental, batch and unit test renderings happen once per build. */
  private render(uniqueId: string, options: RenderOptions = {}): Rendered {
    const plain = !options.isIncremental && !options.batch && !options.inputs && !options.vars;
    const cached = plain ? this.rendered.get(uniqueId) : undefined;
    if (cached) return cached;
    const node = this.model(uniqueId);
    const ephemerals: string[] = [];
    const batchFilters: string[] = [];
    const template = this.parsed.templates.get(uniqueId);
    if (!template) {
      throw new TsdbtError('usage', `${node.originalFilePath} is a TypeScript model, whose SQL exists only when it is built`, {
        location: { file: node.originalFilePath },
        hint: 'build it (tsdbt run -s ...) and query its relation',
      });
    }
    const misses = this.answers.misses;
    const sql = template.render(this.hooks(node.relation, ephemerals, options, batchFilters));
    const result = { sql: stripTrailingSemicolons(sql), ephemerals, batchFilters };
    // A rendering that asked the database something not known yet is rendered again once it is.
    if (plain && this.answers.misses === misses) this.rendered.set(uniqueId, result);
    return result;
  }

  private hooks(relation: GraphNode['relation'], ephemerals: string[], options: RenderOptions, batchFilters: string[]): RenderHooks {
    const { parsed, graph } = this;
    const { batch, inputs } = options;
    const vars = options.vars ? { ...parsed.vars, ...options.vars } : parsed.vars;
    const replaced = (cte: string | undefined) => (cte === undefined ? undefined : quoteIdentifier(cte));
    return {
      ref: (name, loc, table) => {
        const given = replaced(inputs?.refs.get(name));
        if (given) return given;
        const node = this.nodeNamed(name)!;
        if (table === 'rejects') return quoteRelation(rejectsOf(node, this.deferred.get(node.uniqueId) ?? node.relation, loc));
        if (isEphemeral(node)) {
          ephemerals.push(node.uniqueId);
          return cteName(node);
        }
        const filtered = batch && batchFilter(node, batch);
        if (filtered) {
          if (!batchFilters.includes(filtered.cte)) batchFilters.push(filtered.cte);
          return quoteIdentifier(filtered.name);
        }
        return quoteRelation(this.deferred.get(node.uniqueId) ?? node.relation);
      },
      source: (sourceName, table) => {
        const given = replaced(inputs?.sources.get(`${sourceName}.${table}`));
        if (given) return given;
        const source = graph.nodes.get(`source.${parsed.project.name}.${sourceName}.${table}`)!;
        return quoteRelation(source.relation);
      },
      config: () => undefined,
      variable: (name, fallback, loc) => resolveVariable(vars, name, fallback, loc),
      isIncremental: () => options.isIncremental === true,
      database: this.database,
      scope: new TemplateScope(parsed.target, relation, replaced(inputs?.this) ?? quoteRelation(relation), batch && { start: timestampText(batch.start), end: timestampText(batch.end) }),
    };
  }

  /** Every ephemeral reached through ephemerals, each after the ones it reads. */
  private ephemeralClosure(direct: string[]): string[] {
    const ordered: string[] = [];
    const visit = (id: string) => {
      if (ordered.includes(id)) return;
      for (const inner of this.render(id).ephemerals) visit(inner);
      ordered.push(id);
    };
    direct.forEach(visit);
    return ordered;
  }

  private byName?: Map<string, GraphNode>;

  /** The model, seed or snapshot a `ref` by this name reaches. */
  nodeNamed(name: string): GraphNode | undefined {
    this.byName ??= new Map([...this.parsed.nodes.values()].filter((node) => RESOURCE_KINDS[node.resourceType].referable).map((node) => [node.name, node]));
    return this.byName.get(name);
  }

  private model(uniqueId: string): GraphNode {
    return this.parsed.nodes.get(uniqueId)!;
  }

  /**
   * Renders a template that is not a node (a hook, `show --inline`) with the same refs and sources; `{{this}}` is
   * `relation`, by default the target schema. No parser checked its refs and sources, so an unknown one fails here.
   */
  compileHook(source: string, file: string, read: ReadDatabase, relation: Relation = { schema: this.parsed.target.schema, identifier: 'inline' }): Promise<string> {
    const template = this.parsed.env.compile(source, file);
    return renderReading(this.answers, (questions) => this.askingInto(questions, () => this.renderHook(template, relation)), read, file);
  }

  private renderHook(template: ModelTemplate, relation: Relation): string {
    const ephemerals: string[] = [];
    const hooks = this.hooks(relation, ephemerals, {}, []);
    const unknown = (what: string, loc: SourceLocation) => new TsdbtError('compile', `${what} does not exist`, { location: { file: '', ...loc } });
    const sql = template.render({
      ...hooks,
      ref: (name, loc, table) => {
        if (![...this.parsed.nodes.values()].some((node) => node.name === name)) throw unknown(`ref '${name}'`, loc);
        return hooks.ref(name, loc, table);
      },
      source: (sourceName, table, loc) => {
        if (![...this.parsed.sources.values()].some((node) => node.sourceName === sourceName && node.name === table)) throw unknown(`source '${sourceName}.${table}'`, loc);
        return hooks.source(sourceName, table, loc);
      },
    });
    const ctes = this.ephemeralClosure(ephemerals).map((id) => `${cteName(this.model(id))} as (\n${this.render(id).sql}\n)`);
    return injectCtes(stripTrailingSemicolons(sql), ctes);
  }
}

interface Rendered {
  sql: string;
  ephemerals: string[];
  /** CTEs reading upstream models within the batch's range. */
  batchFilters: string[];
}

const EPHEMERAL_PREFIX = '__tsdbt__cte__';

/** `{{ref "x" rejects=true}}`: the rejects table beside JSON seed x's table `relation`. */
function rejectsOf(node: GraphNode, relation: Relation, loc: SourceLocation): Relation {
  if (node.resourceType !== 'seed' || !hasRejects(node)) {
    throw new TsdbtError('compile', `ref '${node.name}' rejects=true: only a JSON or NDJSON seed has a rejects table`, { location: { file: '', ...loc } });
  }
  return rejectsRelation(relation, MAX_IDENTIFIER_LENGTH);
}

/** An ephemeral model is a CTE, with no relation whose columns the database knows: dbt_utils refuses it too. */
function refusingEphemerals(database: CompileTimeDatabase): CompileTimeDatabase {
  const quotedPrefix = quoteIdentifier(EPHEMERAL_PREFIX).slice(0, -1);
  return {
    columns: (relation) => {
      if (relation.startsWith(quotedPrefix)) {
        throw new TsdbtError('compile', `${relation.slice(quotedPrefix.length, -1)} is an ephemeral model: its columns cannot be read while compiling`, {
          hint: 'materialize it as a view or a table',
        });
      }
      return database.columns(relation);
    },
    rows: (sql) => database.rows(sql),
  };
}

function cteName(node: GraphNode): string {
  return quoteIdentifier(`${EPHEMERAL_PREFIX}${node.name}`);
}

const LEADING_WITH = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*with\b(?:\s+recursive\b)?/i;

/** Puts CTEs in front of a query, joining an existing WITH clause rather than nesting a second one. */
export function injectCtes(sql: string, ctes: string[]): string {
  if (ctes.length === 0) return sql;
  const match = LEADING_WITH.exec(sql);
  if (match) return `${match[0]} ${ctes.join(',\n')},\n${sql.slice(match[0].length).trimStart()}`;
  return `with ${ctes.join(',\n')}\n${sql}`;
}

/** A model's trailing `;` would break the statements it is wrapped in. (A loop: the regex /[\s;]+$/ backtracks.) */
function stripTrailingSemicolons(sql: string): string {
  let end = sql.length;
  while (end > 0 && /[\s;]/.test(sql[end - 1]!)) end--;
  return sql.slice(0, end);
}
