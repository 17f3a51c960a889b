/**
 * One streamed reply as this process produces it, for any number of subscribers: each
 * gets every event from the first (a reconnect replays what it missed), then live ones.
 * The producer runs apart from them, so a client that leaves cannot stall the save of
 * its partial reply; once the last subscriber has left, `abandoned` aborts the model call.
 */
export interface ReplyRelay<T> {
  push(value: T): void;
  end(): void;
  /** Ends with an error, thrown to subscribers after what was pushed before it. */
  fail(err: unknown): void;
  subscribe(signal?: AbortSignal): AsyncIterable<T>;
  /** The last event pushed, if any. */
  last(): T | undefined;
  readonly abandoned: AbortSignal;
}

export function createReplyRelay<T>(): ReplyRelay<T> {
  const events: T[] = [];
  let closed = false;
  let failure: { err: unknown } | undefined;
  let waiters: (() => void)[] = [];
  let subscribers = 0;
  const abandon = new AbortController();
  const wakeAll = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  return {
    abandoned: abandon.signal,
    push(value) {
      if (closed) return;
      events.push(value);
      wakeAll();
    },
    end() {
      closed = true;
      wakeAll();
    },
    fail(err) {
      if (closed) return;
      failure = { err };
      closed = true;
      wakeAll();
    },
    last: () => events.at(-1),
    subscribe(signal) {
      return (async function* () {
        subscribers++;
        let next = 0;
        const onAbort = () => wakeAll();
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
          for (;;) {
            if (signal?.aborted) return;
            if (next < events.length) {
              yield events[next++] as T;
              continue;
            }
            if (failure) throw failure.err;
            if (closed) return;
            await new Promise<void>((resolve) => waiters.push(resolve));
          }
        } finally {
          signal?.removeEventListener("abort", onAbort);
          if (--subscribers === 0 && !closed) abandon.abort();
        }
      })();
    },
  };
}
