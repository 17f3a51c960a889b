/**
 * A single-consumer async queue between the chat stream's producer (model call, final save) and its
 * SSE consumer: a client that leaves cannot stall the save, and a slow one never holds the upstream open.
 */
export interface EventQueue<T> extends AsyncIterable<T> {
  push(value: T): void;
  end(): void;
  /** Ends the queue with an error, thrown to the consumer after what is already queued. */
  fail(err: unknown): void;
}

export function createEventQueue<T>(): EventQueue<T> {
  const buffer: T[] = [];
  let closed = false;
  let failure: { err: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };

  return {
    push(value) {
      if (closed) return;
      buffer.push(value);
      notify();
    },
    end() {
      closed = true;
      notify();
    },
    fail(err) {
      if (closed) return;
      failure = { err };
      closed = true;
      notify();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = buffer.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (failure) throw failure.err;
        if (closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
