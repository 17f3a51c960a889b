/**
 * The SSE keep-alive over a real HTTP server and socket: pings a silent event stream, never
 * writes in the middle of an event, leaves busy streams and other responses alone.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSseKeepAlive, type SseKeepAlive } from "../src/sse-keepalive.ts";

const INTERVAL_MS = 40;
const PING = "event: ping\ndata: \n\n";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Server | undefined;
let keepAlive: SseKeepAlive | undefined;
afterEach(async () => {
  keepAlive?.stop();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

/** Serves one response through the keep-alive; `handler` writes it. Returns what the client reads. */
async function serve(handler: (res: ServerResponse) => void) {
  keepAlive = createSseKeepAlive(INTERVAL_MS);
  let response: ServerResponse | undefined;
  server = createServer((req, res) => {
    keepAlive?.watch(req, res);
    response = res;
    handler(res);
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  // As an EventSource asks.
  const body = (await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: "text/event-stream" } })).body;
  if (!body) throw new Error("no body");
  let text = "";
  const decoder = new TextDecoder();
  const reader = body.getReader();
  void (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
  })().catch(() => undefined);
  return { read: () => text, res: () => response as ServerResponse };
}

// As tRPC's adapter does: headers set one by one, sent with the first write.
const eventStream = (res: ServerResponse) => res.setHeader("content-type", "text/event-stream");

describe("SSE keep-alive", () => {
  it("pings a silent event stream, after whole events only", async () => {
    const stream = await serve((res) => {
      eventStream(res);
      res.write("data: 1\n");
      res.write("\n\n");
    });
    await sleep(INTERVAL_MS * 4);
    const text = stream.read();
    expect(text.startsWith("data: 1\n\n\n")).toBe(true);
    expect(text.split(PING).length - 1).toBeGreaterThanOrEqual(2);
    // Only whole pings after the event: nothing else was written.
    expect(text.replaceAll(PING, "")).toBe("data: 1\n\n\n");
  });

  it("waits while an event is half-written (as under backpressure), then pings after it", async () => {
    const stream = await serve((res) => {
      eventStream(res);
      res.write(Buffer.from("event: x\n"));
      res.write(Buffer.from("data: 1\n"));
    });
    await sleep(INTERVAL_MS * 4);
    expect(stream.read()).toBe("event: x\ndata: 1\n");
    stream.res().write(Buffer.from("\n\n"));
    await sleep(INTERVAL_MS * 3);
    expect(stream.read().startsWith(`event: x\ndata: 1\n\n\n${PING}`)).toBe(true);
  });

  it("does not ping a stream that keeps writing", async () => {
    const stream = await serve((res) => {
      eventStream(res);
      const timer = setInterval(() => res.write("data: tick\n\n\n"), INTERVAL_MS / 4);
      res.once("close", () => clearInterval(timer));
    });
    await sleep(INTERVAL_MS * 5);
    expect(stream.read()).toContain("data: tick");
    expect(stream.read()).not.toContain("event: ping");
  });

  it("leaves a response that is not an event stream alone", async () => {
    const stream = await serve((res) => {
      res.setHeader("content-type", "application/json");
      res.write("[1,\n\n");
    });
    await sleep(INTERVAL_MS * 4);
    expect(stream.read()).toBe("[1,\n\n");
  });
});
