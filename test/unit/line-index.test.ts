import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../src/util/line-index.js';

describe('LineIndex', () => {
  const text = 'select 1\nfrom t\n\nwhere x';
  const lines = new LineIndex(text);

  it('gives the 1-based line and column of an offset; a newline belongs to the line it ends', () => {
    expect(lines.positionOf(0)).toEqual({ line: 1, column: 1 });
    expect(lines.positionOf(8)).toEqual({ line: 1, column: 9 });
    expect(lines.positionOf(9)).toEqual({ line: 2, column: 1 });
    expect(lines.positionOf(16)).toEqual({ line: 3, column: 1 });
    expect(lines.positionOf(text.length)).toEqual({ line: 4, column: 8 });
  });

  it('turns a line and 0-based column back into the offset', () => {
    expect(lines.offsetOf(2, 5)).toBe(14);
    expect(text[lines.offsetOf(4, 0)]).toBe('w');
  });
});
