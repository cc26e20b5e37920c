import { didYouMean, TsdbtError } from '../core/errors.js';
import type { SourceLocation } from '../core/nodes.js';
import type { RenderHooks } from './render-hooks.js';

/** The helper each `{{name}}` of a template is rewritten to: it finds `name` or fails at the call. */
export const DEFINED_HELPER = 'tsdbt.defined';

/**
 * Handlebars renders an unknown `{{payment_method}}` as an empty string (Jinja's undefined, as dbt does). tsdbt
 * refuses it: each `{{name}}` or `{{name.field}}` that is no helper, block parameter, `this` or `@data` is rewritten to
 * `{{tsdbt.defined "name" "field"}}`, which fails when the current context (the model's scope, an `{{#each}}` item,
 * a partial's arguments) has no such field. Conditions and arguments (`{{#if name}}`, `{{helper name}}`) are not
 * rewritten: a missing one is false there, so a partial's optional argument is tested with `{{#if arg}}`.
 * (Handlebars' own `strict` option would also fail `{{#if batch.start}}` outside a microbatch, with no place.)
 */
export function requireDefinedNames(ast: hbs.AST.Program, helpers: Record<string, unknown>): void {
  const visit = (node: unknown, blockParams: ReadonlySet<string>): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as hbs.AST.Node & { program?: hbs.AST.Program };
    if (n.type === 'MustacheStatement') rewrite(n as hbs.AST.MustacheStatement, blockParams, helpers);
    const inner = n.program?.blockParams?.length ? new Set([...blockParams, ...n.program.blockParams]) : blockParams;
    for (const [key, value] of Object.entries(n)) {
      const scope = key === 'program' ? inner : blockParams;
      if (Array.isArray(value)) value.forEach((child) => visit(child, scope));
      else if (value && typeof value === 'object' && 'type' in value) visit(value, scope);
    }
  };
  visit(ast, new Set());
}

function rewrite(mustache: hbs.AST.MustacheStatement, blockParams: ReadonlySet<string>, helpers: Record<string, unknown>): void {
  const path = mustache.path as hbs.AST.PathExpression;
  if (path.type !== 'PathExpression' || mustache.params.length > 0 || (mustache.hash?.pairs.length ?? 0) > 0) return;
  if (path.data || path.depth > 0 || /^(this\b|\.)/.test(path.original) || path.parts.length === 0) return;
  if (path.original in helpers || blockParams.has(path.parts[0]!)) return;
  mustache.params = path.parts.map((part) => ({ type: 'StringLiteral', value: part, original: part, loc: path.loc }) as hbs.AST.StringLiteral);
  mustache.path = { ...path, parts: [DEFINED_HELPER], original: DEFINED_HELPER } as hbs.AST.PathExpression;
}

/** The helper: `parts` read from the context as Handlebars would, an absent one an error at `loc`. */
export function readDefined(context: unknown, parts: string[], loc: SourceLocation, hooks: RenderHooks | undefined): unknown {
  let value = context;
  for (const [index, part] of parts.entries()) {
    // An absent optional object (`{{batch.start}}` outside a microbatch) renders empty, as before.
    if (value === null || value === undefined) return undefined;
    if (!Object.hasOwn(Object(value), part)) {
      const fields = Object.keys(Object(value));
      if (index === 0) throw unknownVariable(part, fields, loc, hooks);
      throw new TsdbtError('compile', `unknown variable '${parts.slice(0, index + 1).join('.')}'`, {
        location: { file: '', ...loc },
        hint: didYouMean(part, fields) ?? `'${parts.slice(0, index).join('.')}' has ${fields.length > 0 ? fields.join(', ') : 'no fields'}`,
      });
    }
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === 'function' ? (value as (this: unknown) => unknown).call(context) : value;
}

function unknownVariable(name: string, fields: string[], loc: SourceLocation, hooks: RenderHooks | undefined): TsdbtError {
  let isProjectVar = false;
  try {
    isProjectVar = hooks !== undefined && hooks.variable(name, undefined, loc) !== undefined;
  } catch {
    // Not a project variable either.
  }
  const hint = isProjectVar
    ? `'${name}' is a project variable: write {{var "${name}"}}`
    : (didYouMean(name, fields) ??
      `a project variable is read with {{var "${name}"}}, a loop's item named with {{#each (list ...) as |${name}|}}, a macro's argument passed as {{> macro ${name}=...}} (dbt renders an undefined name empty; tsdbt refuses it)`);
  return new TsdbtError('compile', `unknown variable '${name}'`, { location: { file: '', ...loc }, hint });
}
