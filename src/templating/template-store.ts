import type { ModelTemplate, TemplateEnvironment } from './environment.js';

/**
 * The parsed templates of a project's nodes by unique id. A node taken from the parse cache keeps only its source
 * until something renders it: `tsdbt ls` never compiles a template, and a compile compiles each one once.
 */
export class TemplateStore {
  private readonly compiled = new Map<string, ModelTemplate>();
  private readonly deferred = new Map<string, { source: string; file: string; isStatic: boolean }>();

  constructor(private readonly env: TemplateEnvironment) {}

  set(uniqueId: string, template: ModelTemplate): void {
    this.compiled.set(uniqueId, template);
  }

  /** A template to compile on first use; `isStatic` is what compiling it gave before. */
  defer(uniqueId: string, source: string, file: string, isStatic: boolean): void {
    this.deferred.set(uniqueId, { source, file, isStatic });
  }

  has(uniqueId: string): boolean {
    return this.compiled.has(uniqueId) || this.deferred.has(uniqueId);
  }

  get(uniqueId: string): ModelTemplate | undefined {
    const known = this.compiled.get(uniqueId);
    if (known) return known;
    const pending = this.deferred.get(uniqueId);
    if (!pending) return undefined;
    const template = this.env.compile(pending.source, pending.file);
    this.deferred.delete(uniqueId);
    this.compiled.set(uniqueId, template);
    return template;
  }

  /** Whether the node renders by the static fast path, without compiling it. */
  isStatic(uniqueId: string): boolean {
    return this.deferred.get(uniqueId)?.isStatic ?? this.compiled.get(uniqueId)?.isStatic ?? false;
  }
}
