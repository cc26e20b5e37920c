import Handlebars from 'handlebars';
import { sqlLiteral } from '../adapters/sql.js';
import { didYouMean, TsdbtError } from '../core/errors.js';
import type { SourceLocation } from '../core/nodes.js';
import { envVar } from '../config/env-var.js';
import type { RenderHooks } from './render-hooks.js';
import { markTemplateText, unmarkRendering, type TracedRender } from './source-map.js';
import { parseStaticTemplate } from './static-template.js';
import { templateError } from '../util/template-errors.js';
import { DBT_UTILS_NAMESPACE, qualifyDbtUtilsCalls } from './dbt-utils/calls.js';
import { callDbtUtilsMacro, DBT_UTILS_MACROS } from './dbt-utils/macros.js';
import { checkNoJinja } from './jinja-left.js';
import { DEFINED_HELPER, readDefined, requireDefinedNames } from './defined-variables.js';

type HelperOptions = Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } }; data: { hooks: RenderHooks } };
export type HelperFunction = (...args: unknown[]) => unknown;

const BUILTIN_HELPERS = ['ref', 'source', 'config', 'var', 'env_var', 'is_incremental', 'raw', 'list', 'literal', 'eq', 'ne', 'and', 'or', 'not', 'if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing'];

/**
 * Comparisons for conditions, which Handlebars lacks: {{#if (eq target.name "prod")}}; and `list`, for the list values
 * dbt writes as ['a', 'b']: {{config unique_key=(list "account" "day")}}.
 */
export const LOGIC_HELPERS: Record<string, (...values: unknown[]) => unknown> = {
  list: (...values) => values,
  // A value (a var, a test argument) as a SQL literal: {{literal (var "country")}} is 'DE', quotes escaped.
  literal: (value) => sqlLiteral(value),
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  and: (...values) => values.every(Boolean),
  or: (...values) => values.some(Boolean),
  not: (value) => !value,
};

function locOf(options: HelperOptions): SourceLocation {
  const start = options.loc?.start;
  return start ? { line: start.line, column: start.column + 1 } : { line: 0, column: 0 };
}

function hooksOf(options: HelperOptions): RenderHooks {
  return options.data.hooks;
}

/** A model, test or macro template, ready to render with any hooks. */
export interface ModelTemplate {
  /** True when rendered by the static fast path. */
  readonly isStatic: boolean;
  /** `context`, when given, is the template's root instead of the node's scope (a generic test's model and arguments). */
  render(hooks: RenderHooks, context?: Record<string, unknown>): string;
}

export interface MacroDefinitions {
  /** SQL partials by name: `macros/cents_to_dollars.sql` is `{{> cents_to_dollars column="amount"}}`. */
  partials: Map<string, { file: string; source: string }>;
  /** Helpers exported by `macros/**\/*.ts|js`. */
  helpers: Map<string, { file: string; fn: HelperFunction }>;
}

/** The Handlebars environment of one project: tsdbt's helpers plus the project's macros. */
export class TemplateEnvironment {
  readonly handlebars = Handlebars.create();
  readonly macros: MacroDefinitions;
  private schemaNameTemplate?: HandlebarsTemplateDelegate;

  constructor(macros: MacroDefinitions = { partials: new Map(), helpers: new Map() }) {
    this.macros = macros;
    const hb = this.handlebars;
    hb.registerHelper('ref', (...args: unknown[]) => {
      const options = args.pop() as HelperOptions;
      expectArgs('ref', args, 1, 1, options);
      return hooksOf(options).ref(String(args[0]), locOf(options), options.hash?.rejects === true ? 'rejects' : undefined);
    });
    hb.registerHelper('source', (...args: unknown[]) => {
      const options = args.pop() as HelperOptions;
      expectArgs('source', args, 2, 2, options);
      return hooksOf(options).source(String(args[0]), String(args[1]), locOf(options));
    });
    hb.registerHelper('config', (...args: unknown[]) => {
      const options = args.pop() as HelperOptions;
      hooksOf(options).config(options.hash as Record<string, unknown>, locOf(options));
      return '';
    });
    hb.registerHelper('var', (...args: unknown[]) => {
      const options = args.pop() as HelperOptions;
      expectArgs('var', args, 1, 2, options);
      return hooksOf(options).variable(String(args[0]), args[1], locOf(options));
    });
    hb.registerHelper('env_var', (...args: unknown[]) => {
      const options = args.pop() as HelperOptions;
      expectArgs('env_var', args, 1, 2, options);
      const loc = locOf(options);
      return envVar(String(args[0]), args[1] === undefined ? undefined : String(args[1]), { line: loc.line, column: loc.column - 1 });
    });
    hb.registerHelper('is_incremental', (...args: unknown[]) => {
      const options = args.pop() as HelperOptions;
      expectArgs('is_incremental', args, 0, 0, options);
      return hooksOf(options).isIncremental();
    });
    // {{{{raw}}}}…{{{{/raw}}}}: text written as it is, `{{` and Jinja's `{%` included.
    hb.registerHelper('raw', function (this: unknown, options: HelperOptions) {
      return options.fn(this);
    });
    for (const [name, logic] of Object.entries(LOGIC_HELPERS)) {
      hb.registerHelper(name, (...args: unknown[]) => logic(...args.slice(0, -1)));
    }
    for (const name of DBT_UTILS_MACROS.keys()) {
      hb.registerHelper(`${DBT_UTILS_NAMESPACE}.${name}`, (...args: unknown[]) => {
        const options = args.pop() as HelperOptions;
        const hooks = hooksOf(options);
        const loc = locOf(options);
        try {
          return callDbtUtilsMacro(name, args, options.hash as Record<string, unknown>, { database: hooks.database, variable: (variable, fallback) => hooks.variable(variable, fallback, loc) });
        } catch (error) {
          // The place of the call; templateError adds the file.
          if (error instanceof TsdbtError && !error.location) throw new TsdbtError(error.kind, error.message, { location: { file: '', ...loc }, hint: error.hint });
          throw error;
        }
      });
    }
    hb.registerHelper(DEFINED_HELPER, function (this: unknown, ...args: unknown[]) {
      const options = args.pop() as HelperOptions;
      return readDefined(this, args as string[], locOf(options), options.data?.hooks);
    });
    for (const [name, { file, fn }] of macros.helpers) {
      if (BUILTIN_HELPERS.includes(name)) {
        throw new TsdbtError('config', `macro helper '${name}' would replace tsdbt's own helper of that name`, { location: { file } });
      }
      hb.registerHelper(name, fn);
    }
    for (const [name, { file, source }] of macros.partials) hb.registerPartial(name, this.partialTemplate(source, file));
  }

  /**
   * Parses a template, its `{{dbt_utils.NAME}}` calls made helper calls (see qualifyDbtUtilsCalls) and its `{{name}}`s
   * required to exist (see requireDefinedNames).
   */
  parse(source: string): hbs.AST.Program {
    const ast = qualifyDbtUtilsCalls(this.handlebars.parse(source), DBT_UTILS_MACROS);
    requireDefinedNames(ast, this.handlebars.helpers);
    return ast;
  }

  /**
   * A partial as Handlebars compiles it when called: parsed here so its dbt_utils calls are qualified too, and its
   * errors while rendering name its own file.
   */
  private partialTemplate(source: string, file: string): string | Handlebars.Template {
    checkNoJinja(source, file);
    let template: HandlebarsTemplateDelegate;
    try {
      template = this.handlebars.compile(this.parse(source), { noEscape: true });
    } catch {
      // Its syntax error is reported where it is called, as before.
      return source;
    }
    return (context: unknown, options?: Handlebars.RuntimeOptions) => {
      try {
        return template(context, options);
      } catch (error) {
        throw templateError(error, file, source);
      }
    };
  }

  /** Parses a template once; syntax errors and calls to unknown helpers or macros are reported at file:line:column. */
  compile(source: string, file: string): ModelTemplate {
    checkNoJinja(source, file);
    const fast = parseStaticTemplate(source);
    if (fast) {
      return {
        isStatic: true,
        render: (hooks) => {
          try {
            return fast.render(hooks, (name, fallback, loc) => envVar(name, fallback, { line: loc.line, column: loc.column - 1 }));
          } catch (error) {
            throw templateError(error, file, source);
          }
        },
      };
    }
    let ast: hbs.AST.Program;
    try {
      ast = this.parse(source);
    } catch (error) {
      throw templateError(error, file, source);
    }
    this.checkCalls(ast, file, source);
    const template = this.handlebars.compile(ast, { noEscape: true });
    return {
      isStatic: false,
      render: (hooks, context) => {
        try {
          return template(context ? { target: hooks.scope.target, ...context } : hooks.scope, { data: { hooks } });
        } catch (error) {
          throw templateError(error, file, source);
        }
      },
    };
  }

  /**
   * Renders a template again, through Handlebars whatever its path, saying where each character of the output came
   * from: how a database error's position in the compiled SQL is mapped back into the model's file.
   */
  renderTraced(source: string, hooks: RenderHooks): TracedRender {
    const ast = this.parse(source);
    const pieces = markTemplateText(ast, source);
    const marked = this.handlebars.compile(ast, { noEscape: true })(hooks.scope, { data: { hooks } });
    return unmarkRendering(marked, pieces, source);
  }

  /** Renders the project's `generate_schema_name` macro (partial or helper), if it has one. */
  generateSchemaName(customSchema: string | undefined, node: { name: string; resource_type: string }, target: { name: string; schema: string }): string | undefined {
    const helper = this.macros.helpers.get('generate_schema_name');
    if (helper) return String(helper.fn(customSchema ?? null, node, { hash: {}, data: {}, name: 'generate_schema_name' })).trim();
    const partial = this.macros.partials.get('generate_schema_name');
    if (!partial) return undefined;
    // Compiled once: every node of the project asks.
    this.schemaNameTemplate ??= this.handlebars.compile(partial.source, { noEscape: true });
    try {
      return this.schemaNameTemplate({ custom_schema_name: customSchema ?? null, node, target }).trim();
    } catch (error) {
      throw templateError(error, partial.file, partial.source);
    }
  }

  /** Handlebars reports a missing helper without a place; walk the tree first and name the place. */
  private checkCalls(ast: hbs.AST.Program, file: string, source: string): void {
    const helpers = this.handlebars.helpers as Record<string, unknown>;
    const partials = this.handlebars.partials as Record<string, unknown>;
    const inlinePartials = new Set<string>();
    const fail = (message: string, loc: hbs.AST.SourceLocation, hint?: string) => {
      throw new TsdbtError('compile', message, { location: { file, line: loc.start.line, column: loc.start.column + 1 }, hint, source });
    };
    const visit = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as hbs.AST.Node & Record<string, unknown>;
      if (n.type === 'DecoratorBlock') {
        const params = (n as unknown as { params: Array<{ value?: unknown }> }).params;
        if (typeof params[0]?.value === 'string') inlinePartials.add(params[0].value);
      }
      if (n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression') {
        const call = n as unknown as hbs.AST.MustacheStatement;
        const path = call.path as hbs.AST.PathExpression;
        const takesArgs = call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0 || n.type === 'SubExpression';
        if (path.type === 'PathExpression' && takesArgs && !path.data && !(path.original in helpers)) {
          fail(`unknown helper '${path.original}'`, call.loc, didYouMean(path.original, Object.keys(helpers)));
        }
      }
      if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') {
        const name = (n as unknown as hbs.AST.PartialStatement).name as hbs.AST.PathExpression;
        if (name.type === 'PathExpression' && !(name.original in partials) && !inlinePartials.has(name.original)) {
          fail(`unknown macro '${name.original}'`, (n as unknown as hbs.AST.PartialStatement).loc, didYouMean(name.original, Object.keys(partials)) ?? 'macros are the .sql files under macro-paths, called as {{> name arg=value}}');
        }
      }
      for (const value of Object.values(n)) {
        if (Array.isArray(value)) value.forEach(visit);
        else if (value && typeof value === 'object' && 'type' in value) visit(value);
      }
    };
    visit(ast);
  }
}

function expectArgs(name: string, args: unknown[], min: number, max: number, options: HelperOptions): void {
  if (args.length >= min && args.length <= max) return;
  const loc = locOf(options);
  const wanted = min === max ? `${min}` : `${min} or ${max}`;
  throw new TsdbtError('compile', `${name} takes ${wanted} argument${max === 1 ? '' : 's'}, got ${args.length}`, {
    location: { file: '', line: loc.line, column: loc.column },
  });
}
