/** Output streams of one CLI invocation; tests pass their own to capture what a command prints. */
export interface CliIO {
  stdout(line: string): void;
  stderr(line: string): void;
  colors: boolean;
  /** A terminal that can redraw a progress line. */
  interactive?: boolean;
  /** Writes without a newline (progress redraws). */
  stdoutRaw?(text: string): void;
  /** Asks the person at the terminal and returns their answer; absent when nobody can answer (stdin is not a terminal). */
  ask?(question: string): Promise<string>;
}

async function askAtTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

export function processIO(): CliIO {
  // A closed pipe (tsdbt ls | head) must not crash a run half-way: the rest of the output is dropped.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    colors: !process.env.NO_COLOR && process.stdout.isTTY === true,
    interactive: process.stdout.isTTY === true,
    stdoutRaw: (text) => process.stdout.write(text),
    ask: process.stdin.isTTY ? askAtTerminal : undefined,
  };
}
