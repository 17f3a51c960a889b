import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companions, memories, messages, moodHistory, relationshipStates } from "../../schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../testing/index.ts";
import { withUser } from "../../transaction.ts";
import { createMemory } from "./manual.ts";
import { insertMessage } from "../messages/history.ts";
import { insertUser } from "../users.ts";

let t: TestDatabase;
let userId: string;
let companionId: string;

beforeAll(async () => {
  // A pool as large as the burst below, so on Postgres every save has its own connection.
  t = await createTestDatabase({ poolSize: 10 });
  ({ id: userId } = await insertUser(t.db, { email: "memories@example.com", passwordHash: "x", displayName: "Mem" }));
  const [c] = await t.db.insert(companions).values({ slug: "memories-test", name: "Mem", visibility: "public" }).returning({ id: companions.id });
  if (!c) throw new Error("no companion");
  companionId = c.id;
  await t.db.insert(relationshipStates).values({ userId, companionId });
});
afterAll(async () => {
  await t.close();
});

const relationship = async () => {
  const [row] = await t.db
    .select({ interactionCount: relationshipStates.interactionCount, trust: relationshipStates.trust })
    .from(relationshipStates)
    .where(and(eq(relationshipStates.userId, userId), eq(relationshipStates.companionId, companionId)));
  return row;
};

describe("createMemory from a message", () => {
  it("keeps one memory and records one interaction when the same message is saved concurrently", async () => {
    const message = await insertMessage(t.db, { userId, companionId, role: "assistant", content: "The Perseids peak in August." });
    const before = await relationship();
    const at = new Date("2026-03-01T12:00:00.000Z");

    // As the API runs it: each save in its own user-scoped transaction, all at once. On
    // Postgres the inserts really overlap; PGlite runs the transactions one after another.
    const saved = await Promise.all(
      Array.from({ length: 10 }, (_, i) => withUser(t.db, userId, (tx) => createMemory(tx, { userId, messageId: message.id, title: `try ${i}`, at }))),
    );

    const ids = new Set(saved.map((m) => m.id));
    expect(ids.size).toBe(1);
    const rows = await t.db.select({ id: memories.id }).from(memories).where(eq(memories.messageId, message.id));
    expect(rows.map((r) => r.id)).toEqual([...ids]);
    expect(saved.every((m) => m.messageId === message.id && m.content === message.content)).toBe(true);

    // One "memory" interaction: +1 interaction, trust +3 (docs/relationship-model.md).
    expect(before).toMatchObject({ interactionCount: 0, trust: 50 });
    expect(await relationship()).toEqual({ interactionCount: 1, trust: 53 });
    const history = await t.db.select({ trust: moodHistory.trust }).from(moodHistory).where(eq(moodHistory.userId, userId));
    expect(history).toEqual([{ trust: 53 }]);
  });

  it("saves the message again once its memory is deleted, and unlinks the memory when the message goes", async () => {
    const message = await insertMessage(t.db, { userId, companionId, role: "user", content: "Remember my birthday." });
    const first = await createMemory(t.db, { userId, messageId: message.id });
    expect(await createMemory(t.db, { userId, messageId: message.id })).toMatchObject({ id: first.id });
    await t.db.delete(memories).where(eq(memories.id, first.id));
    const second = await createMemory(t.db, { userId, messageId: message.id });
    expect(second.id).not.toBe(first.id);

    // ON DELETE SET NULL: the memory stays, as free text.
    await t.db.delete(messages).where(eq(messages.id, message.id));
    const [kept] = await t.db.select({ messageId: memories.messageId, content: memories.content }).from(memories).where(eq(memories.id, second.id));
    expect(kept).toEqual({ messageId: null, content: "Remember my birthday." });
  });
});
