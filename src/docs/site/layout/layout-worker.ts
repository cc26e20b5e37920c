// The layout worker's entry (bundled apart, see scripts/build.mjs): one request, one answer.
import { layoutGraph } from './dagre-layout.js';
import type { LayoutRequest, LayoutResult } from './layout-types.js';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(result: LayoutResult): void;
};
scope.onmessage = (event) => scope.postMessage(layoutGraph(event.data));
