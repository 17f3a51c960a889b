/**
 * The per-process event hub: one LISTEN connection, fanned out in memory per user. It only says "user U
 * has event N"; subscribers read the event from the table, so a lost NOTIFY costs a re-read, never an
 * event (docs/realtime.md, "Fan-out across processes").
 */
import { EVENTS_CHANNEL, type DatabaseHandle } from "@companion/db";
import { realtimeSubscriptionsOpen } from "@companion/metrics";

/**
 * What a subscriber is told: an event id it may not have yet; `resync` when the listening
 * connection was re-established and notifications may have been lost meanwhile; `closed`
 * when the hub shuts down and the subscription should end.
 */
type HubSignal = { eventId: number } | "resync" | "closed";

export interface EventHub {
  /** Registers `onSignal` for the user's events; returns the (idempotent) unsubscribe. */
  subscribe(userId: string, onSignal: (signal: HubSignal) => void): () => void;
  /** Registered callbacks, and users with at least one: what a leak check compares. */
  stats(): { listeners: number; users: number };
  /** Reports a problem a subscriber cannot surface to its client (goes to `onError`). */
  reportError(err: unknown): void;
  /** Stops listening and tells every subscriber `closed`. Idempotent. */
  close(): Promise<void>;
}

export interface EventHubOptions {
  listen: DatabaseHandle["listen"];
  /** A malformed payload or a throwing subscriber; the hub carries on. */
  onError?: (err: unknown) => void;
}

const PAYLOAD = /^([0-9a-f-]{36}):(\d+)$/;

export async function startEventHub(options: EventHubOptions): Promise<EventHub> {
  const subscribers = new Map<string, Set<(signal: HubSignal) => void>>();
  const report = options.onError ?? (() => {});
  let closed = false;
  let listening = false;

  const deliver = (fns: Iterable<(signal: HubSignal) => void>, signal: HubSignal) => {
    // A copy: a callback may unsubscribe (itself or others) while we iterate.
    for (const fn of [...fns]) {
      try {
        fn(signal);
      } catch (err) {
        report(err);
      }
    }
  };

  const onPayload = (payload: string) => {
    const m = PAYLOAD.exec(payload);
    if (!m?.[1] || !m[2]) return report(new Error(`unexpected ${EVENTS_CHANNEL} payload: ${payload.slice(0, 100)}`));
    const fns = subscribers.get(m[1]);
    if (fns) deliver(fns, { eventId: Number(m[2]) });
  };

  const onListen = () => {
    // The first call is the initial LISTEN; any later one follows a reconnect.
    if (listening) for (const fns of subscribers.values()) deliver(fns, "resync");
    listening = true;
  };

  const unlisten = await options.listen(EVENTS_CHANNEL, onPayload, onListen);

  return {
    subscribe(userId, onSignal) {
      if (closed) throw new Error("the event hub is closed");
      let fns = subscribers.get(userId);
      if (!fns) subscribers.set(userId, (fns = new Set()));
      // Wrapped, so the same function subscribed twice stays two subscriptions.
      const entry = (signal: HubSignal) => onSignal(signal);
      fns.add(entry);
      realtimeSubscriptionsOpen.inc();
      return () => {
        const current = subscribers.get(userId);
        if (!current?.delete(entry)) return;
        realtimeSubscriptionsOpen.dec();
        if (current.size === 0) subscribers.delete(userId);
      };
    },
    reportError: report,
    stats() {
      let listeners = 0;
      for (const fns of subscribers.values()) listeners += fns.size;
      return { listeners, users: subscribers.size };
    },
    async close() {
      if (closed) return;
      closed = true;
      const all = [...subscribers.values()].flatMap((fns) => [...fns]);
      subscribers.clear();
      realtimeSubscriptionsOpen.dec(all.length);
      deliver(all, "closed");
      await unlisten();
    },
  };
}
