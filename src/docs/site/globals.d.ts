import type { DocsData } from '../docs-data.js';

declare global {
  /** The layout worker's bundled source, inlined by scripts/build.mjs. */
  const __TSDBT_LAYOUT_WORKER__: string;

  interface Window {
    /** Set by data.js, written by `tsdbt docs generate`. */
    __TSDBT_DOCS__?: DocsData;
    /** Resolves once the first view is drawn: what the bench times (see main.ts). */
    __tsdbtDocsReady?: Promise<DocsTimings>;
  }

  interface DocsTimings {
    /** Milliseconds from navigation start until the data was indexed. */
    loadMs: number;
    /** Milliseconds from navigation start until the first view (e.g. a focused lineage graph) was drawn. */
    drawnMs: number;
  }
}
