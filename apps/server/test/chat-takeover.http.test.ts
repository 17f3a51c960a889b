/**
 * A message whose reply never came because the process answering it died: a retry with
 * the same key answers it at once when that process's lease is gone, and waits while the
 * owner is alive (its reply is coming), taking over as soon as the lease lapses.
 */
import { randomUUID } from "node:crypto";
import { createFakeOpenAIServer, FAKE_REPLY } from "@companion/ai/testing";
import { messages, processLeases } from "@companion/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, signUp, storedMessages, type ChatUser } from "./chat-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const fake = createFakeOpenAIServer();
let t: TestServer;
let closeFake: () => Promise<void>;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

/** My message saved under `key` as if `owner` had started answering it and then died. */
async function orphan(user: ChatUser, companionId: string, key: string, owner: string): Promise<string> {
  const [row] = await t.database.db
    .insert(messages)
    .values({ userId: user.id, companionId, role: "user", content: "Did you get this?", idempotencyKey: key, ownerProcess: owner })
    .returning({ id: messages.id });
  if (!row) throw new Error("no message inserted");
  return row.id;
}

async function connectedUser() {
  const user = await signUp(t);
  const companion = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId: companion.id });
  return { user, companionId: companion.id };
}

describe("a retry after the answering process died", () => {
  it("is answered at once when the owner holds no lease", async () => {
    const { user, companionId } = await connectedUser();
    const key = newKey();
    const messageId = await orphan(user, companionId, key, randomUUID());

    const started = Date.now();
    const exchange = await user.api.messages.send.mutate({ companionId, content: "Did you get this?", idempotencyKey: key });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(exchange.userMessage.id).toBe(messageId);
    expect(exchange.reply).toMatchObject({ replyToId: messageId, content: FAKE_REPLY, status: "complete" });
    expect(await storedMessages(t.database.db, user.id, companionId)).toHaveLength(2);
  });

  it("waits while the owner's lease is alive, and takes over when it lapses", async () => {
    const { user, companionId } = await connectedUser();
    const owner = randomUUID();
    await t.database.db.insert(processLeases).values({ id: owner, expiresAt: sql`now() + interval '1 minute'` });
    const key = newKey();
    const messageId = await orphan(user, companionId, key, owner);

    let answered = false;
    const retry = user.api.messages.send.mutate({ companionId, content: "Did you get this?", idempotencyKey: key }).finally(() => (answered = true));
    await new Promise((r) => setTimeout(r, 800));
    expect(answered).toBe(false);

    await t.database.db.update(processLeases).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(processLeases.id, owner));
    const lapsed = Date.now();
    const exchange = await retry;
    expect(Date.now() - lapsed).toBeLessThan(2_000);
    expect(exchange.reply).toMatchObject({ replyToId: messageId, content: FAKE_REPLY });
  });

  it("a stream of an orphaned message is answered the same way", async () => {
    const { user, companionId } = await connectedUser();
    const messageId = await orphan(user, companionId, newKey(), randomUUID());
    const events = await new Promise<unknown[]>((resolve, reject) => {
      const seen: unknown[] = [];
      const sub = user.api.messages.stream.subscribe(
        { messageId },
        {
          onData: (event) => {
            seen.push(event);
            if (event.type === "done") {
              sub.unsubscribe();
              resolve(seen);
            }
          },
          onError: reject,
        },
      );
    });
    expect(events.at(-1)).toMatchObject({ type: "done", reply: { replyToId: messageId, content: FAKE_REPLY } });
  });
});
