/**
 * The one way the site builds DOM: strings become text nodes and attributes are set one by one, so a user-supplied
 * string (a name, a description, SQL, a message) is never parsed as HTML. Only markdown.ts and highlight.ts hand HTML
 * to the DOM, and that HTML comes escaped from markdown-it (html: false) and highlight.js.
 */
export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill<E extends Element>(element: E, attrs: Attrs, children: Child[]): E {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.replace(/^on/, ''), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
  return element;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attrs, children);
}

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Positions through the CSSOM: allowed by the Content-Security-Policy, unlike style attributes. */
export function place(element: HTMLElement, box: { left?: number | string; top?: number | string; width?: number | string; height?: number | string }): void {
  for (const [key, value] of Object.entries(box)) {
    if (value !== undefined) element.style.setProperty(key, typeof value === 'number' ? `${value}px` : value);
  }
}
