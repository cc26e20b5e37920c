import type { Route } from './router.js';
import type { Project } from './project.js';

/** A page of the site: its element now, and `ready` once it is fully drawn (a graph waits for its layout). */
export interface View {
  element: HTMLElement;
  ready: Promise<void>;
}

/** A view renders a route; `signal` aborts when the route changes, so pending work (a layout) stops. */
export type ViewFactory = (project: Project, route: Route, signal: AbortSignal) => View;
