import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companionPersonas, companions, users } from "../../schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../testing/index.ts";
import { withUser } from "../../transaction.ts";
import { createCompanion, type CompanionDefinitionInput } from "./authoring.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

const definition = (name: string): CompanionDefinitionInput => ({
  name,
  tagline: "",
  bio: "",
  traits: [],
  avatarKey: null,
  visibility: "public",
  greeting: "",
  alternateGreetings: [],
  systemPrompt: "secret prompt",
  speakingStyle: "",
  backstory: "",
  personality: "",
  scenario: "",
  exampleDialogues: "",
  postHistoryInstructions: "",
  catchphrases: [],
  neverSay: [],
  characterBook: { entries: [{ keys: ["moon"], content: "The moon is made of cheese.", enabled: true, insertion_order: 0 }] },
  extensions: { depth_prompt: { depth: 4 } },
});

async function user(): Promise<string> {
  const [row] = await handle.db
    .insert(users)
    .values({ email: `${randomUUID()}@example.test`, passwordHash: "x", displayName: "U" })
    .returning({ id: users.id });
  if (!row) throw new Error("no user");
  return row.id;
}

// The query functions filter by owner in code; these check the RLS policies alone (no owner filter).
describe("own companions under RLS", () => {
  it("another person cannot update or delete my companion or its persona, even without an owner filter", async () => {
    const [a, b] = [await user(), await user()];
    const mine = await withUser(handle.db, a, (tx) => createCompanion(tx, { userId: a, definition: definition("Mine") }));
    expect(mine).toMatchObject({ ownerUserId: a, characterBook: { entries: [{ keys: ["moon"] }] }, extensions: { depth_prompt: { depth: 4 } } });

    const touched = await withUser(handle.db, b, async (tx) => ({
      profile: await tx.update(companions).set({ name: "Hijacked" }).where(eq(companions.id, mine.id)).returning({ id: companions.id }),
      persona: await tx
        .update(companionPersonas)
        .set({ systemPrompt: "hijacked" })
        .where(eq(companionPersonas.companionId, mine.id))
        .returning({ id: companionPersonas.companionId }),
      deleted: await tx.delete(companions).where(eq(companions.id, mine.id)).returning({ id: companions.id }),
    }));
    expect(touched).toEqual({ profile: [], persona: [], deleted: [] });

    // Nor can B create a companion in A's name, or a persona for A's companion.
    const planted = await withUser(handle.db, b, (tx) =>
      tx.execute(sql`insert into companions (owner_user_id, slug, name) values (${a}, ${`planted-${randomUUID()}`}, 'x')`),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(planted).toBeInstanceOf(Error);

    const [row] = await handle.db
      .select({ name: companions.name, prompt: companionPersonas.systemPrompt })
      .from(companions)
      .innerJoin(companionPersonas, eq(companionPersonas.companionId, companions.id))
      .where(eq(companions.id, mine.id));
    expect(row).toEqual({ name: "Mine", prompt: "secret prompt" });
  });
});
