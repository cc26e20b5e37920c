import type { SourceLocation } from '../core/nodes.js';

/**
 * What a template's helpers do. The parser passes hooks that record refs, sources and config;
 * the compiler passes hooks that resolve them to relation names. The template never knows which.
 */
export interface RenderHooks {
  ref(name: string, loc: SourceLocation): string;
  source(sourceName: string, table: string, loc: SourceLocation): string;
  config(values: Record<string, unknown>, loc: SourceLocation): void;
  variable(name: string, fallback: unknown, loc: SourceLocation): unknown;
  /** `{{#if (is_incremental)}}`: true when an incremental model is adding to its existing table. */
  isIncremental(): boolean;
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

/** A microbatch's time range as templates see it: `{{batch.start}}` is `2024-01-31 00:00:00+00`, end exclusive. */
export interface BatchScope {
  start: string;
  end: string;
}

/** `{{this}}` renders the node's relation because Handlebars stringifies the root context. */
export class TemplateScope {
  readonly target: TargetScope;
  readonly schema: string;
  readonly identifier: string;
  readonly name: string;
  readonly batch: BatchScope | undefined;
  readonly #relation: string;

  constructor(target: TargetScope, relation: { schema: string; identifier: string }, quoted: string, batch?: BatchScope) {
    this.target = target;
    this.schema = relation.schema;
    this.identifier = relation.identifier;
    this.name = relation.identifier;
    this.batch = batch;
    this.#relation = quoted;
  }

  toString(): string {
    return this.#relation;
  }
}
