import { describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail } from "./harness.ts";

describe("graceful shutdown", () => {
  it("finishes in-flight requests, ends SSE streams, refuses new connections, closes the database", async () => {
    const t = await startTestServer();
    const api = t.client();
    const events: string[] = [];
    let sub: { unsubscribe(): void } | undefined;
    await new Promise<void>((resolve) => {
      sub = api.health.ticks.subscribe(
        { count: 10, intervalMs: 1000 },
        {
          onStarted: () => resolve(),
          onError: () => events.push("error"),
          onComplete: () => events.push("complete"),
          onConnectionStateChange: (s) => {
            if (s.state === "connecting" && s.error) events.push("connection-lost");
          },
        },
      );
    });

    // A request in flight when shutdown starts (argon2 hashing keeps it busy) still completes.
    const inflight = t.client().auth.register.mutate({ email: uniqueEmail(), password: "password-1234", displayName: "I" });
    while (t.server.app.inflightCount() < 2) await new Promise((r) => setTimeout(r, 2));

    const started = Date.now();
    await t.stop();
    // Well under SHUTDOWN_GRACE_MS (10 s): SSE streams are ended, not waited for.
    expect(Date.now() - started).toBeLessThan(8_000);
    await expect(inflight).resolves.toMatchObject({ user: { displayName: "I" } });
    await new Promise((r) => setTimeout(r, 50));
    expect(events.length).toBeGreaterThan(0);
    sub?.unsubscribe();

    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
    await expect(t.database.ping()).rejects.toThrow();
  });
});
