import type { RouterInputs, RouterOutputs } from "@companion/client";
import { moodHistory, recordInteraction, relationshipStates } from "@companion/db";
import { MOOD_LABELS } from "@companion/validators";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { PERSONA_MARKER, createPrivateCompanion, createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";

let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let ids: Record<string, string>;
let bobsPrivate: string;
// Every output of this file, checked at the end for persona fields.
const outputs: unknown[] = [];
const seen = <T>(value: T): T => {
  outputs.push(value);
  return value;
};

beforeAll(async () => {
  t = await startTestServer();
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
  ids = await createPublicCompanions(t, ["ayla", "bruno", "cleo", "dex", "echo"]);
  bobsPrivate = await createPrivateCompanion(t, bob.id);
});
afterAll(async () => {
  await t.stop();
});

// The stored row, read around the API.
const storedState = async (userId: string, companionId: string) =>
  (
    await t.database.db
      .select({ affection: relationshipStates.affection, energy: relationshipStates.energy })
      .from(relationshipStates)
      .where(and(eq(relationshipStates.userId, userId), eq(relationshipStates.companionId, companionId)))
  )[0];

const idOf = (slug: string) => {
  const id = ids[slug];
  if (!id) throw new Error(`no companion ${slug}`);
  return id;
};

describe("companions through packages/client over HTTP", () => {
  it("connect creates my state once; list and byId show it, and only to me", async () => {
    const input: RouterInputs["companions"]["connect"] = { companionId: idOf("bruno") };
    const first = seen(await alice.api.companions.connect.mutate(input));
    expect(first).toMatchObject({ companionId: idOf("bruno"), affection: 50, trust: 50, energy: 50, mood: "neutral", interactionCount: 0, lastInteractionAt: null });

    await recordInteraction(t.database.db, { userId: alice.id, companionId: idOf("bruno"), kind: "message", sentiment: 1 });
    const again = seen(await alice.api.companions.connect.mutate(input));
    expect(again).toMatchObject({ affection: 56, interactionCount: 1, connectedAt: first.connectedAt });

    const mine = seen(await alice.api.companions.byId.query(input));
    expect(mine.relationship).toMatchObject({ affection: 56, trust: 53, energy: 55 });
    const theirs = seen(await bob.api.companions.byId.query(input));
    expect(theirs).toMatchObject({ slug: "bruno", name: "BRUNO", tagline: "tagline of bruno", traits: ["curious"], relationship: null });

    const list = seen(await alice.api.companions.list.query({ limit: 20 }));
    expect(list.items.map((c) => c.slug)).toEqual(["ayla", "bruno", "cleo", "dex", "echo"]);
    expect(list.items.filter((c) => c.relationship).map((c) => c.slug)).toEqual(["bruno"]);
  });

  it("pages the list by slug keyset, every companion exactly once", async () => {
    const slugs: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page: RouterOutputs["companions"]["list"] = seen(await bob.api.companions.list.query({ limit: 2, ...(cursor ? { cursor } : {}) }));
      slugs.push(...page.items.map((c) => c.slug));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    // Bob also sees his own private companion.
    expect(slugs.filter((s) => !s.startsWith("private-"))).toEqual(["ayla", "bruno", "cleo", "dex", "echo"]);
    expect(slugs).toHaveLength(6);
    expect(pages).toBe(3);
  });

  it("a private companion is visible to its owner and NOT_FOUND for everyone else", async () => {
    const input = { companionId: bobsPrivate };
    expect(seen(await bob.api.companions.byId.query(input)).name).toBe("Private");
    expect(seen(await bob.api.companions.connect.mutate(input)).companionId).toBe(bobsPrivate);
    for (const call of [
      () => alice.api.companions.byId.query(input),
      () => alice.api.companions.connect.mutate(input),
      () => alice.api.companions.disconnect.mutate(input),
      () => alice.api.companions.relationship.query(input),
    ]) {
      expect((await failureOf(call())).code).toBe("NOT_FOUND");
    }
    const aliceList = seen(await alice.api.companions.list.query({ limit: 100 }));
    expect(aliceList.items.map((c) => c.id)).not.toContain(bobsPrivate);
    expect(await storedState(alice.id, bobsPrivate)).toBeUndefined();
  });

  it("disconnect removes only my state and is idempotent", async () => {
    const input = { companionId: idOf("cleo") };
    await alice.api.companions.connect.mutate(input);
    await bob.api.companions.connect.mutate(input);
    expect(await alice.api.companions.disconnect.mutate(input)).toEqual({ disconnected: true });
    expect(await alice.api.companions.disconnect.mutate(input)).toEqual({ disconnected: false });
    expect((await alice.api.companions.byId.query(input)).relationship).toBeNull();
    expect((await bob.api.companions.byId.query(input)).relationship).not.toBeNull();
    expect((await failureOf(alice.api.companions.relationship.query(input))).code).toBe("NOT_FOUND");
  });

  it("relationship shows decayed scores, the mood and a 30-day history summary", async () => {
    const companionId = idOf("dex");
    await alice.api.companions.connect.mutate({ companionId });
    const now = Date.now();
    const daysAgo = (n: number) => new Date(now - n * 86_400_000);
    for (const n of [40, 9, 8, 8, 3]) {
      await recordInteraction(t.database.db, { userId: alice.id, companionId, kind: "message", sentiment: 1, at: daysAgo(n) });
    }
    const rel = seen(await alice.api.companions.relationship.query({ companionId }));
    expect(rel.history.totalDaysInteracted).toBe(4);
    expect(rel.history.daysInteracted).toBe(3);
    expect(rel.history.entries.map((e) => e.date)).toEqual([daysAgo(9), daysAgo(8), daysAgo(3)].map((d) => d.toISOString().slice(0, 10)));
    expect(rel.history.to).toBe(new Date(now).toISOString().slice(0, 10));
    expect(rel.interactionCount).toBe(5);
    expect(rel.mood).toBe("lonely");
    // Read-time decay: 3 days of absence since the stored state, nothing written back.
    const stored = await storedState(alice.id, companionId);
    expect(rel.affection).toBe((stored?.affection ?? 0) - 6);
    expect(rel.energy).toBe(Math.max(50, (stored?.energy ?? 0) - 15));
    expect(MOOD_LABELS).toContain(rel.history.dominantMood);
    const rows = await t.database.db.select({ recordedOn: moodHistory.recordedOn }).from(moodHistory).where(eq(moodHistory.companionId, companionId));
    expect(rows).toHaveLength(4);
  });

  it("rejects bad input and bad cursors with BAD_REQUEST", async () => {
    const notUuid = await failureOf(alice.api.companions.byId.query({ companionId: "nope" }));
    expect(notUuid.code).toBe("BAD_REQUEST");
    expect(Object.keys(notUuid.fieldErrors ?? {})).toEqual(["companionId"]);
    expect((await failureOf(alice.api.companions.list.query({ limit: 0 }))).fieldErrors).toHaveProperty("limit");
    for (const cursor of ["garbage!", Buffer.from("1700000000000:00000000-0000-4000-8000-000000000000").toString("base64url")]) {
      expect((await failureOf(alice.api.companions.list.query({ limit: 5, cursor }))).code).toBe("BAD_REQUEST");
    }
  });

  it("requires sign-in", async () => {
    expect((await failureOf(t.client().companions.list.query({ limit: 5 }))).code).toBe("UNAUTHORIZED");
  });

  it("never puts persona fields in any output", () => {
    expect(outputs.length).toBeGreaterThan(10);
    const json = JSON.stringify(outputs);
    expect(json).not.toContain(PERSONA_MARKER);
    expect(json).not.toMatch(/systemPrompt|speakingStyle|backstory|system_prompt|speaking_style/);
  });
});
