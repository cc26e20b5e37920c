import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes lines to a file through a fixed buffer, so a file of any size is written without holding it in memory. */
export class LineWriter {
  private readonly fd: number;
  private chunk: string[] = [];
  private size = 0;
  lines = 0;

  /** `append`: add lines after the file's end instead of replacing it. */
  constructor(path: string, { append = false }: { append?: boolean } = {}) {
    this.fd = openSync(path, append ? 'a' : 'w');
  }

  write(line: string): void {
    this.chunk.push(line);
    this.size += line.length + 1;
    this.lines++;
    if (this.size >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.chunk.length > 0) writeSync(this.fd, `${this.chunk.join('\n')}\n`);
    this.chunk = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
