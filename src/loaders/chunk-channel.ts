/**
 * Hands chunks from a producer that pushes (a parser's callback) to a consumer that pulls (COPY), holding at most
 * `capacity` of them. Once the consumer stops (`discard`), pushes return at once so the producer can finish its scan.
 */
export class ChunkChannel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private ended = false;
  private discarding = false;
  private failure: unknown;
  private wakeConsumer?: () => void;
  private wakeProducer?: () => void;

  constructor(private readonly capacity = 2) {}

  async push(chunk: T): Promise<void> {
    if (this.discarding) return;
    while (this.buffer.length >= this.capacity && !this.discarding) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    }
    if (this.discarding) return;
    this.buffer.push(chunk);
    this.wakeConsumer?.();
  }

  end(): void {
    this.ended = true;
    this.wakeConsumer?.();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.end();
  }

  discard(): void {
    this.discarding = true;
    this.buffer.length = 0;
    this.wakeProducer?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const chunk = this.buffer.shift();
      if (chunk !== undefined) {
        this.wakeProducer?.();
        yield chunk;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }
}
