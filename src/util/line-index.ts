/** A 1-based line and column in a text. */
export interface LinePosition {
  line: number;
  column: number;
}

/** Where each line of a text starts: offsets to lines and columns and back, the one place that counts newlines. */
export class LineIndex {
  /** Offset of each line's first character, found on first use: most texts are never asked. */
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  /** The line and column of `offset` (a newline belongs to the line it ends). */
  positionOf(offset: number): LinePosition {
    const starts = this.starts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }

  /** The offset of a 1-based line and a 0-based column, as parsers such as Handlebars report them. */
  offsetOf(line: number, column: number): number {
    return this.starts()[line - 1]! + column;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    return this.lineStarts;
  }
}
