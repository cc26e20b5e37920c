import type { LayoutRequest, LayoutResult } from './layout-types.js';

let workerUrl: string | undefined;

/**
 * Lays a graph out in a worker, so the tab stays responsive while dagre runs (seconds on the whole of a large
 * project). Aborting terminates the worker: leaving a view never leaves a layout running for nothing.
 */
export function layoutInWorker(request: LayoutRequest, signal: AbortSignal): Promise<LayoutResult> {
  workerUrl ??= URL.createObjectURL(new Blob([__TSDBT_LAYOUT_WORKER__], { type: 'text/javascript' }));
  const worker = new Worker(workerUrl);
  return new Promise<LayoutResult>((resolve, reject) => {
    const stop = () => {
      worker.terminate();
      reject(new DOMException('layout aborted', 'AbortError'));
    };
    signal.addEventListener('abort', stop, { once: true });
    worker.onmessage = (event: MessageEvent<LayoutResult>) => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
      resolve(event.data);
    };
    worker.onerror = (event) => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
      reject(new Error(`layout failed: ${event.message}`));
    };
    worker.postMessage(request);
  });
}
