/**
 * Test helper: an `events.subscribe` subscription through packages/client, recording what
 * an app would see (tracked events, errors, connection state).
 */
import type { CompanionClient, RouterInputs, RouterOutputs } from "@companion/client";

/** What `onData` receives: tRPC's tracked envelope `{ id, data }`. */
type TrackedEvent = RouterOutputs["events"]["subscribe"] extends AsyncIterable<infer T> ? T : never;

export interface EventRecorder {
  received: TrackedEvent[];
  errors: unknown[];
  /** Resolves when the server has set the subscription up (tRPC's `onStarted`). */
  started: Promise<void>;
  /** Waits until `count` events arrived in total; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<TrackedEvent[]>;
  unsubscribe(): void;
}

export function recordEvents(api: CompanionClient, input?: RouterInputs["events"]["subscribe"]): EventRecorder {
  const received: TrackedEvent[] = [];
  const errors: unknown[] = [];
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const sub = api.events.subscribe.subscribe(input, {
    onStarted: () => markStarted(),
    onData: (event) => received.push(event),
    onError: (err) => errors.push(err),
  });
  return {
    received,
    errors,
    started,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (errors.length > 0) throw new Error(`subscription failed: ${String(errors[0])}`);
        if (Date.now() > deadline) throw new Error(`expected ${count} events within ${timeoutMs} ms, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return received;
    },
    unsubscribe: () => sub.unsubscribe(),
  };
}

/** Polls `read` until `done(value)` (or the deadline passes) and returns the last value. */
export async function settle<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}
