/** What the layout worker is asked and answers: plain arrays, cheap to copy between threads. */
export interface LayoutRequest {
  nodes: { width: number; height: number }[];
  /** Indexes into nodes: [from, to]. */
  edges: [number, number][];
}

export interface Point {
  x: number;
  y: number;
}

export interface LayoutResult {
  /** Node centres, in the order of the request. */
  nodes: Point[];
  /** Each edge's route, in the order of the request. */
  edges: Point[][];
  width: number;
  height: number;
  /** How long dagre took, for the bench and the status line. */
  ms: number;
}
