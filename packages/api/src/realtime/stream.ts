/**
 * One subscriber's event stream: replay from the table, then live, with no gap and no duplicate across
 * the handoff. The order of the steps is what makes that hold (docs/realtime.md, "Replay semantics").
 */
import { eventsSince, latestEventId, prunedThroughEventId, withUser, type Database, type EventRecord } from "@companion/db";
import { DomainError } from "@companion/errors";
import { realtimeEventsDelivered } from "@companion/metrics";
import { realtimeEvent, type EventsSubscribeData, type RealtimeEvent } from "@companion/validators";
import { tracked, type TrackedEnvelope } from "@trpc/server";
import type { EventHub } from "./hub.ts";

export interface UserEventStreamOptions {
  db: Database;
  hub: EventHub;
  userId: string;
  lastEventId?: string | null | undefined;
  signal?: AbortSignal | undefined;
  /** Rows per read; a long replay takes several. */
  pageSize?: number;
}

/**
 * Sets the stream up (hub subscription, cursor) before it resolves, so by the time the
 * client hears that the subscription started, every later event will reach it.
 */
export async function openUserEventStream(options: UserEventStreamOptions): Promise<AsyncGenerator<TrackedEnvelope<EventsSubscribeData>>> {
  const { db, hub, userId, signal } = options;
  const pageSize = options.pageSize ?? 100;
  const resumeAfter = parseEventId(options.lastEventId);
  const wake = createWakeFlag();
  // Until a fresh stream has its cursor, every signal counts: the worst case is one empty read.
  let cursor = resumeAfter ?? 0;

  const unsubscribe = hub.subscribe(userId, (s) => {
    if (s === "closed") wake.end();
    else if (s === "resync" || s.eventId > cursor) wake.set();
  });
  const stop = () => {
    unsubscribe();
    wake.end();
    signal?.removeEventListener("abort", stop);
  };
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();

  try {
    if (resumeAfter === undefined) cursor = await withUser(db, userId, (tx) => latestEventId(tx, { userId }));
  } catch (err) {
    stop();
    throw err;
  }
  if (resumeAfter !== undefined) wake.set(); // the replay

  return (async function* () {
    // The replay of a resumed stream lasts until its first short page. Each of its pages is
    // checked against the retention watermark, read after the page in the same transaction:
    // a delete committed before the page was read has raised it by then. Live reads are not
    // checked: a live stream reads each event on its signal, long before it can be pruned.
    let replaying = resumeAfter !== undefined;
    try {
      while (await wake.next()) {
        for (;;) {
          const { rows, gap } = await withUser(db, userId, async (tx) => {
            const page = await eventsSince(tx, { userId, afterId: cursor, limit: pageSize });
            return { rows: page, gap: replaying && cursor < (await prunedThroughEventId(tx)) };
          });
          if (gap) {
            if (signal?.aborted) return;
            replaying = false; // once per stream: the client reloads anyway
            yield tracked(String(cursor), { type: "resync", reason: "events-pruned" } satisfies EventsSubscribeData);
          }
          for (const row of rows) {
            if (signal?.aborted) return;
            cursor = row.id;
            const event = toWire(row, hub);
            if (!event) continue;
            realtimeEventsDelivered.inc();
            yield tracked(String(row.id), event);
          }
          if (rows.length < pageSize) {
            replaying = false;
            break;
          }
        }
      }
    } finally {
      stop();
    }
  })();
}

function parseEventId(id: string | null | undefined): number | undefined {
  if (id === null || id === undefined) return undefined;
  const n = Number(id);
  if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(n)) {
    throw new DomainError("BAD_REQUEST", "Invalid lastEventId", { field: "lastEventId" });
  }
  return n;
}

/** An event row that does not match its wire schema is skipped and reported to the hub. */
function toWire(row: EventRecord, hub: EventHub): RealtimeEvent | null {
  const parsed = realtimeEvent.safeParse({ type: row.type, payload: row.payload, createdAt: row.createdAt.toISOString() });
  if (parsed.success) return parsed.data;
  // Skipping keeps the stream alive: throwing would end it, and the client's reconnect
  // with the same lastEventId would hit the same row again, forever.
  hub.reportError(new Error(`event ${row.id} (${row.type}) does not match its wire schema`, { cause: parsed.error }));
  return null;
}

/** A level-triggered flag: any number of set() calls wake one next(); end() wakes it for good. */
function createWakeFlag() {
  let pending = false;
  let ended = false;
  let resume: (() => void) | undefined;
  const poke = () => {
    const r = resume;
    resume = undefined;
    r?.();
  };
  return {
    set() {
      pending = true;
      poke();
    },
    end() {
      ended = true;
      poke();
    },
    /** Resolves true once the flag is set (clearing it), false once ended. */
    async next(): Promise<boolean> {
      while (!ended && !pending) await new Promise<void>((r) => (resume = r));
      if (ended) return false;
      pending = false;
      return true;
    },
  };
}
