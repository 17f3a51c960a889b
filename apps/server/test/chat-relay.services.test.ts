/**
 * Two server processes on one Postgres (as cluster workers or replicas are): messages.start
 * reaches one, which writes the reply; messages.stream reaches the other, which relays the
 * reply token by token over NOTIFY instead of waiting for it to be saved.
 */
import { randomBytes } from "node:crypto";
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { createClient } from "@companion/client";
import { openTestPostgres, createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callsOf, createCompanion, newKey, type StreamEvent } from "./chat-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

const REPLY = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
const jwtSecret = randomBytes(32).toString("base64url");
const fake = createFakeOpenAIServer({ mode: "ok", reply: REPLY, chunkDelayMs: 30 });
let closeFake: () => Promise<void>;
let a: TestServer;
let b: TestServer;
let database: TestDatabase;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  database = await createTestDatabase();
  const name = database.url ? new URL(database.url).pathname.slice(1) : "";
  if (!name) throw new Error("chat-relay.services.test.ts needs a real Postgres (TEST_BACKEND=postgres)");
  const env = { JWT_SECRET: jwtSecret, OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url };
  a = await startTestServer(env, { database });
  // The second server's own connections to the same database; it closes them on stop.
  const second = await openTestPostgres(name);
  b = await startTestServer(env, { database: { ...second, url: database.url, env: database.env } });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await closeFake?.();
});

describe("a reply written on one server, streamed from another", () => {
  it("arrives token by token, in order, from one model call", async () => {
    let token: string | undefined;
    const onTokens = (t: { accessToken: string } | null) => void (token = t?.accessToken);
    const onA = createClient({ url: a.url, getAccessToken: () => token, onTokens });
    const onB = createClient({ url: b.url, getAccessToken: () => token, onTokens });
    const { user } = await onA.auth.register.mutate({ email: uniqueEmail("relay"), password: "password-1234", displayName: "Relay" });
    const companion = await createCompanion(a.database.db);
    await onA.companions.connect.mutate({ companionId: companion.id });
    await a.settle();
    fake.resetCounters();

    const { userMessage } = await onA.messages.start.mutate({ companionId: companion.id, content: "Tell me about your day", idempotencyKey: newKey() });
    const arrivals: number[] = [];
    const events = await new Promise<StreamEvent[]>((resolve, reject) => {
      const seen: StreamEvent[] = [];
      const sub = onB.messages.stream.subscribe(
        { messageId: userMessage.id },
        {
          onData: (event) => {
            seen.push(event);
            arrivals.push(Date.now());
            if (event.type === "done") {
              sub.unsubscribe();
              resolve(seen);
            }
          },
          onError: reject,
        },
      );
    });

    const tokens = events.filter((e) => e.type === "token");
    expect(events.some((e) => e.type === "fallback")).toBe(false);
    expect(tokens.length).toBeGreaterThan(10);
    expect(tokens.map((e) => (e.type === "token" ? e.text : "")).join("")).toBe(REPLY);
    // Live: the first token came well before the reply was done (30 chunks, 30 ms apart).
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(300);
    expect(events.at(-1)).toMatchObject({ type: "done", userMessage: { id: userMessage.id }, reply: { content: REPLY, status: "complete" } });
    await a.settle();
    expect((await callsOf(a.database.db, user.id)).filter((c) => c.purpose === "chat")).toHaveLength(1);
  });
});
