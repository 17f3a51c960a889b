/**
 * SIGTERM while chat replies stream: they finish within SHUTDOWN_GRACE_MS, or are cut just
 * before it with a final `done` carrying the partial reply (saved); idle subscriptions end
 * with a clean completion, never a reset socket.
 */
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, signUp, type StreamEvent } from "./chat-fixtures.ts";
import { startTestServer } from "./harness.ts";

const GRACE_MS = 3_000;
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

const fake = createFakeOpenAIServer();
let fakeUrl: string;
let closeFake: () => Promise<void>;
beforeAll(async () => {
  ({ url: fakeUrl, close: closeFake } = await fake.start());
});
afterAll(async () => {
  await closeFake?.();
});

describe("shutdown with chat streams in flight", () => {
  it("a reply that fits in the grace finishes; a longer one ends with done (partial); idle subscriptions complete", async () => {
    const t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fakeUrl, SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    const user = await signUp(t);
    const companion = await createCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId: companion.id });

    // 20 words, one every 50 ms: about 1 s, well inside the grace.
    fake.setBehavior({ mode: "ok", reply: words(20), chunkDelayMs: 50 });
    const short = await user.api.messages.start.mutate({ companionId: companion.id, content: "short one", idempotencyKey: newKey() });
    const shortStream = collect(user.api, short.userMessage.id);
    await shortStream.firstToken;
    // 200 words, one every 50 ms: 10 s, longer than the grace.
    fake.setBehavior({ mode: "ok", reply: words(200), chunkDelayMs: 50 });
    const long = await user.api.messages.start.mutate({ companionId: companion.id, content: "long one", idempotencyKey: newKey() });
    const longStream = collect(user.api, long.userMessage.id);
    await longStream.firstToken;

    const idle: string[] = [];
    await new Promise<void>((resolve) => {
      user.api.events.subscribe.subscribe(
        undefined,
        {
          onStarted: () => resolve(),
          onError: () => idle.push("error"),
          onComplete: () => idle.push("complete"),
          onConnectionStateChange: (s) => {
            if (s.state === "connecting" && s.error) idle.push("connection-lost");
          },
        },
      );
    });

    const started = Date.now();
    const stopped = t.server.stop();
    // The idle subscription ends at once, cleanly.
    await waitUntil(() => idle.length > 0, 1_000);
    expect(idle).toEqual(["complete"]);

    const shortEvents = await shortStream.ended;
    expect(shortEvents.at(-1)).toMatchObject({ type: "done", reply: { status: "complete", content: words(20) } });

    const longEvents = await longStream.ended;
    const done = longEvents.at(-1);
    expect(done).toMatchObject({ type: "done", reply: { status: "partial" } });
    const shown = longEvents.map((e) => (e.type === "token" ? e.text : "")).join("");
    if (done?.type !== "done") throw new Error("no done");
    // `done` carries the saved row: the partial reply was stored before the stream ended.
    expect(done.reply.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(done.reply.content.length).toBeGreaterThan(0);
    expect(shown.startsWith(done.reply.content) || done.reply.content.startsWith(shown)).toBe(true);
    expect(Date.now() - started).toBeLessThan(GRACE_MS);

    await stopped;
    expect(Date.now() - started).toBeLessThan(GRACE_MS + 1_500);
  });
});

function collect(api: ReturnType<Awaited<ReturnType<typeof startTestServer>>["client"]>, messageId: string) {
  const events: StreamEvent[] = [];
  let markFirst!: () => void;
  const firstToken = new Promise<void>((resolve) => (markFirst = resolve));
  const ended = new Promise<StreamEvent[]>((resolve, reject) => {
    const sub = api.messages.stream.subscribe(
      { messageId },
      {
        onData: (event) => {
          events.push(event);
          if (event.type === "token") markFirst();
          if (event.type === "done") {
            sub.unsubscribe();
            resolve(events);
          }
        },
        onError: reject,
        onComplete: () => resolve(events),
      },
    );
  });
  return { firstToken, ended };
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
