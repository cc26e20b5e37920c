import type { SourceLocation } from '../graph/nodes.js';

/**
 * What a template's helpers do. The parser passes hooks that record refs, sources and config;
 * the compiler passes hooks that resolve them to relation names. The template never knows which.
 */
export interface RenderHooks {
  ref(name: string, loc: SourceLocation): string;
  source(sourceName: string, table: string, loc: SourceLocation): string;
  config(values: Record<string, unknown>, loc: SourceLocation): void;
  variable(name: string, fallback: unknown, loc: SourceLocation): unknown;
  /** The root context of the template: `{{this}}`, `{{target.name}}`. */
  scope: TemplateScope;
}

export interface TargetScope {
  name: string;
  schema: string;
  type: string;
  threads: number;
  profile_name: string;
}

/** `{{this}}` renders the node's relation because Handlebars stringifies the root context. */
export class TemplateScope {
  readonly target: TargetScope;
  readonly schema: string;
  readonly identifier: string;
  readonly name: string;
  readonly #relation: string;

  constructor(target: TargetScope, relation: { schema: string; identifier: string }, quoted: string) {
    this.target = target;
    this.schema = relation.schema;
    this.identifier = relation.identifier;
    this.name = relation.identifier;
    this.#relation = quoted;
  }

  toString(): string {
    return this.#relation;
  }
}
