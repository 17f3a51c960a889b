import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companions, messages, relationshipStates, replyAlternatives } from "../../schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../testing/index.ts";
import { withUser } from "../../transaction.ts";
import { insertUser } from "../users.ts";
import { regenerateReply } from "./controls.ts";
import { saveReply } from "./exchange.ts";
import { insertMessage } from "./history.ts";

let t: TestDatabase;
let userId: string;
let companionId: string;

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  ({ id: userId } = await insertUser(t.db, { email: "controls@example.com", passwordHash: "x", displayName: "Ctl" }));
  const [c] = await t.db.insert(companions).values({ slug: "controls-test", name: "Ctl", visibility: "public" }).returning({ id: companions.id });
  if (!c) throw new Error("no companion");
  companionId = c.id;
  await t.db.insert(relationshipStates).values({ userId, companionId });
});
afterAll(async () => {
  await t.close();
});

const draft = (content: string) => ({ content, status: "complete" as const, provider: "fake", model: "m" });

describe("regenerateReply under concurrency", () => {
  it("keeps the reply once when regenerates race, and saveReply then appends the next version", async () => {
    const message = await insertMessage(t.db, { userId, companionId, role: "user", content: "Hello" });
    await withUser(t.db, userId, (tx) => saveReply(tx, { userId, companionId, replyToId: message.id, ...draft("first") }));

    // Each in its own user-scoped transaction, all at once (on Postgres they really overlap).
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        withUser(t.db, userId, (tx) => regenerateReply(tx, { userId, companionId, messageId: message.id, idempotencyKey: `race-key-${i}` })),
      ),
    );
    const versions = () =>
      t.db
        .select({ position: replyAlternatives.position, content: replyAlternatives.content })
        .from(replyAlternatives)
        .where(eq(replyAlternatives.userMessageId, message.id))
        .orderBy(replyAlternatives.position);
    expect(await versions()).toEqual([{ position: 0, content: "first" }]);
    const replies = () =>
      t.db
        .select({ content: messages.content, alternative: messages.alternative })
        .from(messages)
        .where(and(eq(messages.replyToId, message.id), eq(messages.role, "assistant")));
    expect(await replies()).toEqual([]);

    // Two savers of the new reply: one row, one new version.
    await Promise.all(["second", "second again"].map((c) => withUser(t.db, userId, (tx) => saveReply(tx, { userId, companionId, replyToId: message.id, ...draft(c) }))));
    const [saved] = await replies();
    expect(saved?.alternative).toBe(1);
    expect(await versions()).toEqual([
      { position: 0, content: "first" },
      { position: 1, content: saved?.content },
    ]);
  });
});
