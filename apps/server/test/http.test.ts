import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ CORS_ORIGINS: "https://app.example.com", MAX_BODY_BYTES: "4096", MAX_BATCH_SIZE: "5" });
});
afterAll(async () => {
  await t.stop();
});

describe("HTTP surface", () => {
  it("answers liveness and readiness once the database answers", async () => {
    const live = await fetch(`${t.url}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready" });
  });

  it("sets security headers and echoes a request id", async () => {
    const res = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("abc-123");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const generated = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "bad id with spaces" } });
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("allows CORS only for allowlisted origins", async () => {
    const ok = await fetch(`${t.url}/trpc/auth.login`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const denied = await fetch(`${t.url}/trpc/auth.login`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "POST" },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses an over-size body with 413", async () => {
    const res = await fetch(`${t.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "a@example.com", password: "x".repeat(10_000) }),
    });
    expect(res.status).toBe(413);
  });

  it("refuses an over-size body sent without a content-length (chunked) with 413", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ email: "a@example.com", password: "y".repeat(10_000) }));
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(big);
        c.close();
      },
    });
    const res = await fetch(`${t.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("rejects a batch larger than MAX_BATCH_SIZE", async () => {
    const n = 6;
    const paths = Array.from({ length: n }, () => "auth.me").join(",");
    const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]));
    const res = await fetch(`${t.url}/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`);
    expect(res.status).toBe(400);
    const ok = await fetch(`${t.url}/trpc/${Array.from({ length: 5 }, () => "auth.me").join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`);
    expect(ok.status).toBe(401);
  });

  it("sends a lone call at once, unbatched, and batches the calls that follow it in the same turn", async () => {
    const sent: string[] = [];
    const recording: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      sent.push(url.pathname + (url.searchParams.has("batch") ? "?batch" : ""));
      return fetch(input, init);
    };
    const api = t.client({ fetch: recording, maxBatchSize: 5 });
    const { user } = await api.auth.register.mutate({ email: uniqueEmail("burst"), password: "correct horse battery", displayName: "Burst" });
    expect(sent).toEqual(["/trpc/auth.register"]);

    sent.length = 0;
    const results = await Promise.all(Array.from({ length: 4 }, () => api.auth.me.query()));
    expect(results.map((me) => me.id)).toEqual([user.id, user.id, user.id, user.id]);
    // The first leaves alone; the other three share one batched request.
    expect(sent).toEqual(["/trpc/auth.me", "/trpc/auth.me,auth.me,auth.me?batch"]);

    // After an await, a call starts a new burst.
    sent.length = 0;
    await api.auth.me.query();
    expect(sent).toEqual(["/trpc/auth.me"]);
  });

  it("returns 404 for unknown paths and never a stack trace for a bad procedure", async () => {
    expect((await fetch(`${t.url}/nope`)).status).toBe(404);
    const res = await fetch(`${t.url}/trpc/does.not.exist`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/stack|\.ts:\d+/);
  });

  it("streams a subscription over SSE through the client", async () => {
    const api = t.client();
    const ticks: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = api.health.ticks.subscribe(
        { count: 3, intervalMs: 5 },
        {
          onData: (d) => {
            ticks.push(d.tick);
            if (ticks.length === 3) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    expect(ticks).toEqual([1, 2, 3]);
  });
});
