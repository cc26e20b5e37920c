/** Output streams of one CLI invocation; tests pass their own to capture what a command prints. */
export interface CliIO {
  stdout(line: string): void;
  stderr(line: string): void;
  colors: boolean;
}

export function processIO(): CliIO {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    colors: !process.env.NO_COLOR && process.stdout.isTTY === true,
  };
}
