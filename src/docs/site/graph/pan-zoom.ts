/** Wheel zoom around the cursor, drag to pan, and the toolbar's zoom and fit, on one SVG group. */
export interface PanZoom {
  zoomBy(factor: number): void;
  /** Fits the box (graph coordinates) in the view, never zooming in past 1. */
  fit(box: { x: number; y: number; width: number; height: number }): void;
  centreOn(x: number, y: number, scale?: number): void;
}

const MIN_SCALE = 0.02;
const MAX_SCALE = 3;
/** Below this scale labels are unreadable: the far class hides them, which also keeps panning smooth. */
const FAR_SCALE = 0.4;

export function attachPanZoom(svg: SVGSVGElement, viewport: SVGGElement): PanZoom {
  let scale = 1;
  let tx = 0;
  let ty = 0;
  const apply = () => {
    viewport.setAttribute('transform', `translate(${tx},${ty}) scale(${scale})`);
    svg.classList.toggle('far', scale < FAR_SCALE);
  };
  const zoomAt = (factor: number, px: number, py: number) => {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
    tx = px - ((px - tx) * next) / scale;
    ty = py - ((py - ty) * next) / scale;
    scale = next;
    apply();
  };
  svg.addEventListener('wheel', (event) => {
    event.preventDefault();
    const rect = svg.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });

  let drag: { x: number; y: number; moved: boolean } | undefined;
  svg.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, moved: false };
  });
  svg.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    // A few pixels of jitter during a click are not a drag (and must not swallow the click).
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) svg.setPointerCapture(event.pointerId);
    drag = { x: event.clientX, y: event.clientY, moved: true };
    svg.classList.add('panning');
    tx += dx;
    ty += dy;
    apply();
  });
  const end = (event: PointerEvent) => {
    if (drag?.moved) {
      // The click that ends a drag (dispatched in this same task, if at all) is not a click on a node.
      const swallow = (click: Event) => click.stopPropagation();
      svg.addEventListener('click', swallow, { capture: true, once: true });
      setTimeout(() => svg.removeEventListener('click', swallow, { capture: true }), 0);
      svg.releasePointerCapture(event.pointerId);
    }
    drag = undefined;
    svg.classList.remove('panning');
  };
  svg.addEventListener('pointerup', end);
  svg.addEventListener('pointercancel', end);

  const centre = () => {
    const rect = svg.getBoundingClientRect();
    return { width: rect.width, height: rect.height };
  };
  return {
    zoomBy: (factor) => {
      const { width, height } = centre();
      zoomAt(factor, width / 2, height / 2);
    },
    fit: (box) => {
      const { width, height } = centre();
      scale = Math.max(MIN_SCALE, Math.min(1, (width - 40) / box.width, (height - 40) / box.height));
      tx = (width - box.width * scale) / 2 - box.x * scale;
      ty = (height - box.height * scale) / 2 - box.y * scale;
      apply();
    },
    centreOn: (x, y, next = scale) => {
      const { width, height } = centre();
      scale = next;
      tx = width / 2 - x * scale;
      ty = height / 2 - y * scale;
      apply();
    },
  };
}
