import type { RouterInputs, RouterOutputs } from "@companion/client";
import { companions, insertMessage } from "@companion/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { createPrivateCompanion, createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";

type Hit = RouterOutputs["search"]["query"]["items"][number];

let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let luna: string;
let rex: string;

beforeAll(async () => {
  t = await startTestServer();
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
  ({ luna = "", rex = "" } = await createPublicCompanions(t, ["luna", "rex"]));
  for (const companionId of [luna, rex]) {
    await alice.api.companions.connect.mutate({ companionId });
    await bob.api.companions.connect.mutate({ companionId });
  }
});
afterAll(async () => {
  await t.stop();
});

const highlighted = (h: Hit) => h.highlights.map((r) => h.snippet.slice(r.start, r.end).toLowerCase());

/** Every hit of a search, page by page. */
async function walk(api: SignedInUser["api"], input: Omit<RouterInputs["search"]["query"], "cursor">) {
  const items: Hit[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await api.search.query.query({ ...input, ...(cursor ? { cursor } : {}) });
    expect(page.mode).toBe("fulltext");
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}

describe("search.query over HTTP", () => {
  it("finds my memory and my message, better match first, with highlighted plain-text snippets", async () => {
    const msg = await insertMessage(t.database.db, { userId: alice.id, companionId: luna, role: "user", content: "We saw the comet <b>over</b> the lake last night" });
    const mem = await alice.api.memories.create.mutate({ companionId: rex, title: "Comet", content: "The comet, the comet again: Alice loves the comet" });
    const res = await alice.api.search.query.query({ q: "comet" });
    expect(res.mode).toBe("fulltext");
    expect(res.items.map((h) => [h.kind, h.id])).toEqual([
      ["memory", mem.id],
      ["message", msg.id],
    ]);
    const [first, second] = res.items as [Hit, Hit];
    expect(first.rank).toBeGreaterThan(second.rank);
    expect(second).toMatchObject({ companionId: luna, role: "user", createdAt: msg.createdAt.toISOString() });
    expect(first).toMatchObject({ companionId: rex, role: null });
    // The snippet is plain text (ts_headline drops the tags), the match a range over it.
    expect(second.snippet).toMatch(/^comet +over +the lake/);
    expect(second.snippet).not.toContain("<b>");
    expect(highlighted(second)).toEqual(["comet"]);
    expect(highlighted(first).length).toBeGreaterThanOrEqual(3);
    expect(new Set(highlighted(first))).toEqual(new Set(["comet"]));
  });

  it("highlights only the match, even when the text holds the marker characters", async () => {
    await insertMessage(t.database.db, { userId: alice.id, companionId: luna, role: "user", content: "\uE000fake\uE001 highlight of a narwhal" });
    const [hit] = (await alice.api.search.query.query({ q: "narwhal" })).items;
    expect(hit?.snippet).toBe("fake highlight of a narwhal");
    expect(hit && highlighted(hit)).toEqual(["narwhal"]);
  });

  it("understands web search syntax: a phrase, an excluded word, or", async () => {
    await insertMessage(t.database.db, { userId: alice.id, companionId: luna, role: "assistant", content: "blue whale songs at dawn" });
    await insertMessage(t.database.db, { userId: alice.id, companionId: luna, role: "assistant", content: "songs of the blue sea, a whale far away" });
    const phrase = await alice.api.search.query.query({ q: '"blue whale"' });
    expect(phrase.items.map((h) => h.snippet)).toEqual(["blue whale songs at dawn"]);
    const excluded = await alice.api.search.query.query({ q: "whale -dawn" });
    expect(excluded.items.map((h) => h.snippet)).toEqual(["songs of the blue sea, a whale far away"]);
    const either = await alice.api.search.query.query({ q: "dawn or sea" });
    expect(either.items).toHaveLength(2);
  });

  it("pages through every hit with the cursor, without duplicates, in rank order", async () => {
    // Ranks tie in groups (same text), so the (rank, kind, id) keyset must break ties by id.
    for (let i = 0; i < 9; i++) {
      const content = i % 3 === 0 ? "pager pager pager test" : `pager test number ${i % 2}`;
      await insertMessage(t.database.db, { userId: alice.id, companionId: i % 2 ? luna : rex, role: "user", content });
      if (i < 4) await alice.api.memories.create.mutate({ companionId: luna, content: `pager memory ${i % 2}` });
    }
    const all = await alice.api.search.query.query({ q: "pager", limit: 100 });
    expect(all.items).toHaveLength(13);
    const walked = await walk(alice.api, { q: "pager", limit: 2 });
    expect(walked.pages).toBe(7);
    expect(walked.items.map((h) => h.id)).toEqual(all.items.map((h) => h.id));
    expect(new Set(walked.items.map((h) => h.id)).size).toBe(13);
    const ranks = walked.items.map((h) => h.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });

  it("filters by kinds and by companion", async () => {
    const memories = await walk(alice.api, { q: "pager", kinds: ["memory"], limit: 3 });
    expect(memories.items).toHaveLength(4);
    expect(memories.items.every((h) => h.kind === "memory")).toBe(true);
    const messages = await walk(alice.api, { q: "pager", kinds: ["message"], companionId: rex, limit: 100 });
    expect(messages.items).toHaveLength(5);
    expect(messages.items.every((h) => h.kind === "message" && h.companionId === rex)).toBe(true);
  });

  it("never finds another person's rows with the very same words", async () => {
    await insertMessage(t.database.db, { userId: bob.id, companionId: luna, role: "user", content: "zebrafish secret of bob" });
    await bob.api.memories.create.mutate({ companionId: luna, content: "zebrafish memory of bob" });
    expect((await alice.api.search.query.query({ q: "zebrafish" })).items).toEqual([]);
    expect((await alice.api.search.query.query({ q: "zebrafish", companionId: luna })).items).toEqual([]);
    expect((await bob.api.search.query.query({ q: "zebrafish" })).items).toHaveLength(2);
    // And Bob never finds Alice's comet.
    expect((await bob.api.search.query.query({ q: "comet" })).items).toEqual([]);
  });

  it("leaves out a companion I can no longer see, and a companionId I may not see is NOT_FOUND", async () => {
    const [fading] = Object.values(await createPublicCompanions(t, ["fading"]));
    if (!fading) throw new Error("no companion");
    await alice.api.companions.connect.mutate({ companionId: fading });
    await insertMessage(t.database.db, { userId: alice.id, companionId: fading, role: "user", content: "quokka picnic" });
    await alice.api.memories.create.mutate({ companionId: fading, content: "quokka memory" });
    expect((await alice.api.search.query.query({ q: "quokka" })).items).toHaveLength(2);
    await t.database.db.update(companions).set({ visibility: "private" }).where(eq(companions.id, fading));
    expect((await alice.api.search.query.query({ q: "quokka" })).items).toEqual([]);
    expect((await failureOf(alice.api.search.query.query({ q: "quokka", companionId: fading }))).code).toBe("NOT_FOUND");
    const privateOfBob = await createPrivateCompanion(t, bob.id);
    expect((await failureOf(alice.api.search.query.query({ q: "x", companionId: privateOfBob }))).code).toBe("NOT_FOUND");
  });

  it("past my newest 1,000 messages: a frequent word stops in the window, a rare one is found through the index, for me only", async () => {
    const [carol, dave] = await Promise.all([signUp(t, "Carol"), signUp(t, "Dave")]);
    for (const u of [carol, dave]) await u.api.companions.connect.mutate({ companionId: luna });
    // 1,200 messages each, newest first by g; the rare word only in the 1,150th newest (outside
    // the window of 1,000); "everyday" in every one of them.
    for (const u of [carol, dave]) {
      await t.database.db.execute(sql`insert into messages (user_id, companion_id, role, content, created_at)
        select ${u.id}::uuid, ${luna}::uuid, 'user', 'everyday line ' || g || case when g = 1150 then ' with a quokka' else '' end, now() - g * interval '1 minute'
        from generate_series(1, 1200) g`);
    }
    const rare = await carol.api.search.query.query({ q: "quokka" });
    expect(rare.items.map((h) => h.snippet)).toEqual(["everyday line 1150 with a quokka"]);
    expect(rare.items.every((h) => h.kind === "message")).toBe(true);
    // Only the newest 200 matches are candidates: all of them from the window.
    const frequent = await walk(carol.api, { q: "everyday", kinds: ["message"], limit: 100 });
    expect(frequent.items).toHaveLength(200);
    // The newest 200 of the 1,200 (a minute apart): none older than the 200th minute.
    const oldest = Math.min(...frequent.items.map((h) => Date.parse(h.createdAt)));
    expect(Date.now() - oldest).toBeLessThan(201 * 60_000 + 30_000);
    // Dave's copy of the same rare message is his alone.
    const daves = await dave.api.search.query.query({ q: "quokka" });
    expect(daves.items).toHaveLength(1);
    expect(daves.items[0]?.id).not.toBe(rare.items[0]?.id);
  });

  it("a query of only punctuation or unknown words is an empty page, not an error", async () => {
    for (const q of ["!!!", "- & |", '""', "nothingmatchesthis"]) {
      expect(await alice.api.search.query.query({ q })).toEqual({ items: [], nextCursor: null, mode: "fulltext" });
    }
  });

  it("refuses bad input with field errors", async () => {
    const cases: [unknown, string][] = [
      [{ q: "" }, "q"],
      [{ q: "   " }, "q"],
      [{ q: "x".repeat(201) }, "q"],
      [{ q: "a\u0000b" }, "q"],
      [{ q: "a", kinds: [] }, "kinds"],
      [{ q: "a", kinds: ["story"] }, "kinds"],
      [{ q: "a", companionId: "not-a-uuid" }, "companionId"],
      [{ q: "a", limit: 0 }, "limit"],
    ];
    for (const [input, field] of cases) {
      const failure = await failureOf(alice.api.search.query.query(input as RouterInputs["search"]["query"]));
      expect(failure.code, JSON.stringify(input)).toBe("BAD_REQUEST");
      expect(Object.keys(failure.fieldErrors ?? {})).toContain(field);
    }
    const badCursor = await failureOf(alice.api.search.query.query({ q: "a", cursor: Buffer.from("search:NaN:memory:x").toString("base64url") }));
    expect(badCursor.code).toBe("BAD_REQUEST");
    const otherListCursor = await failureOf(alice.api.search.query.query({ q: "a", cursor: Buffer.from(`1:${alice.id}`).toString("base64url") }));
    expect(otherListCursor.code).toBe("BAD_REQUEST");
  });
});
