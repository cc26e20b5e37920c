/** A time range, start inclusive, end exclusive. */
export interface TimeRange {
  start: Date;
  end: Date;
}

/** How one build renders a node; the default is a full build. */
export interface RenderOptions {
  /** `{{#if (is_incremental)}}` is true. */
  isIncremental?: boolean;
  /** A microbatch: `{{batch.start}}`/`{{batch.end}}`, and refs to models with an `event_time` read only this range. */
  batch?: TimeRange;
  /** A unit test's fixtures: what refs, sources and `{{this}}` read instead of relations. */
  inputs?: InputReplacements;
  /** A unit test's `overrides: {vars}`, over the project's vars. */
  vars?: Record<string, unknown>;
}

/** CTE names (unquoted) standing for relations: refs by model name, sources by `source.table`, and `this`. */
export interface InputReplacements {
  refs: ReadonlyMap<string, string>;
  sources: ReadonlyMap<string, string>;
  this?: string;
}
