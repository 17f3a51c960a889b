/**
 * Keep-alive for SSE at the HTTP layer: tRPC's `sse.ping` cost a timer and a promise race per streamed
 * token. One timer writes tRPC's own ping event, between events only, to streams silent for `intervalMs`,
 * so the client's inactivity timer resets (docs/realtime.md, "Lifecycle").
 */
import type { IncomingMessage, ServerResponse } from "node:http";

const PING = Buffer.from("event: ping\ndata: \n\n");
const NEWLINE = 10;

interface Stream {
  lastWriteAt: number;
  /** The last chunk written ended with a blank line: no event is half-written. */
  atBoundary: boolean;
}

export interface SseKeepAlive {
  /**
   * Watches `res` when `req` asks for an event stream (EventSource always sends
   * `Accept: text/event-stream`), so queries and mutations pay nothing; forgets it on close.
   */
  watch(req: IncomingMessage, res: ServerResponse): void;
  stop(): void;
}

function endsEvent(chunk: unknown): boolean {
  if (typeof chunk === "string") return chunk.endsWith("\n\n");
  if (chunk instanceof Uint8Array) return chunk.length >= 2 && chunk[chunk.length - 1] === NEWLINE && chunk[chunk.length - 2] === NEWLINE;
  return false;
}

const isEventStream = (res: ServerResponse) => String(res.getHeader("content-type") ?? "").startsWith("text/event-stream");

export function createSseKeepAlive(intervalMs: number, now: () => number = performance.now.bind(performance)): SseKeepAlive {
  const streams = new Map<ServerResponse, Stream>();

  const sweep = () => {
    const at = now();
    for (const [res, stream] of streams) {
      if (!stream.atBoundary || at - stream.lastWriteAt < intervalMs || res.writableEnded || !isEventStream(res)) continue;
      res.write(PING);
    }
  };
  // Twice per interval: a silent stream is pinged after between 1 and 1.5 intervals.
  const timer = setInterval(sweep, intervalMs / 2).unref();

  return {
    watch(req, res) {
      if (!req.headers.accept?.includes("text/event-stream")) return;
      // Until tRPC's first chunk (the `connected` event) nothing is written at all.
      const stream: Stream = { lastWriteAt: now(), atBoundary: false };
      streams.set(res, stream);
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        stream.lastWriteAt = now();
        stream.atBoundary = endsEvent(chunk);
        return write(chunk, ...rest);
      }) as ServerResponse["write"];
      res.once("close", () => streams.delete(res));
    },
    stop() {
      clearInterval(timer);
      streams.clear();
    },
  };
}
