/**
 * Streaming a reply to a subscriber on another server process. The process writing a reply
 * has its events in memory; a subscription that lands elsewhere (another cluster worker)
 * asks for them over Postgres NOTIFY, and the writer forwards them, from the first, in order.
 * The saved reply stays the truth: `done` is only a marker, the watcher reads it from the table.
 */
import { randomUUID } from "node:crypto";
import type { ChatStreamEvent } from "./chat-open.ts";
import type { ReplyRelay } from "./reply-relay.ts";

export const CHAT_RELAY_CHANNEL = "chat_relay";
/** Events per NOTIFY stay under this, well inside Postgres' 8,000-byte payload limit. */
const MAX_BATCH_BYTES = 6_000;

/** Publish to and listen on one NOTIFY channel (Postgres; PGlite too, within its one process). */
export interface RelayBus {
  publish(payload: string): Promise<void>;
  listen(onPayload: (payload: string) => void): Promise<unknown>;
}

type Forwarded = Extract<ChatStreamEvent, { type: "token" | "fallback" }>;
type Wire =
  | { t: "watch"; m: string; x: string; from: string }
  | { t: "events"; x: string; s: number; e: Forwarded[] }
  | { t: "done"; x: string };

interface Watch {
  /** Resolves when the writer reports its reply saved (or gone: the watcher then looks itself). */
  readonly done: Promise<void>;
  /** Forwarded events pushed so far. */
  readonly relayed: number;
  stop(): void;
}

export interface ChatRelay {
  /** Asks the other processes for the events of `messageId`'s reply and pushes them into `relay`. */
  watch(messageId: string, relay: ReplyRelay<ChatStreamEvent>): Promise<Watch>;
}

/**
 * `writing(messageId)`: this process's relay for a reply it is writing (or wrote lately),
 * which it forwards to a watcher that asks.
 */
export function createChatRelay(options: {
  bus: RelayBus;
  process: string;
  writing: (messageId: string) => ReplyRelay<ChatStreamEvent> | undefined;
  onError: (err: unknown) => void;
}): ChatRelay {
  const { bus } = options;
  const watches = new Map<string, (wire: Wire) => void>();
  const publish = (wire: Wire) => bus.publish(JSON.stringify(wire));

  /**
   * Forwards the relay's events from the first. While one NOTIFY is on its way the next
   * events gather into one (under Postgres' 8,000-byte payload limit), so a busy database
   * gets fewer, larger notifications instead of one per token.
   */
  async function forward(relay: ReplyRelay<ChatStreamEvent>, x: string): Promise<void> {
    let sent = 0;
    let batch: Forwarded[] = [];
    let size = 0;
    let flushing: Promise<void> | undefined;
    const flush = async (): Promise<void> => {
      while (batch.length > 0) {
        const e = batch;
        const s = sent;
        batch = [];
        size = 0;
        sent += e.length;
        await publish({ t: "events", x, s, e });
      }
      flushing = undefined;
    };
    for await (const event of relay.subscribe()) {
      if (event.type === "done") break;
      const bytes = Buffer.byteLength(JSON.stringify(event));
      if (size + bytes > MAX_BATCH_BYTES && batch.length > 0) await (flushing ?? flush());
      batch.push(event);
      size += bytes;
      flushing ??= flush();
    }
    await (flushing ?? flush());
    await flush();
    await publish({ t: "done", x });
  }

  const listening = bus.listen((payload) => {
    let wire: Wire;
    try {
      wire = JSON.parse(payload) as Wire;
    } catch (err) {
      return options.onError(err);
    }
    if (wire.t === "watch") {
      if (wire.from === options.process) return;
      const relay = options.writing(wire.m);
      if (relay) forward(relay, wire.x).catch(options.onError);
      return;
    }
    watches.get(wire.x)?.(wire);
  });
  listening.catch(options.onError);

  return {
    async watch(messageId, relay) {
      await listening;
      const x = randomUUID();
      let expected = 0;
      let relayed = 0;
      const early = new Map<number, Forwarded>();
      let markDone!: () => void;
      const done = new Promise<void>((resolve) => (markDone = resolve));
      watches.set(x, (wire) => {
        if (wire.t === "done") return markDone();
        if (wire.t !== "events") return;
        wire.e.forEach((event, i) => early.set(wire.s + i, event));
        for (let next = early.get(expected); next !== undefined; next = early.get(expected)) {
          early.delete(expected++);
          relay.push(next);
          relayed++;
        }
      });
      await publish({ t: "watch", m: messageId, x, from: options.process });
      return {
        done,
        get relayed() {
          return relayed;
        },
        stop: () => void watches.delete(x),
      };
    },
  };
}
