/**
 * companions.connected through packages/client over HTTP (docs/companions.md#connected): the
 * companions I am connected with, newest connection first, keyset-paged on (connected at,
 * companion id); unlisted ones and my own included, others' connections never, a companion that
 * turned private or was hidden left out.
 */
import type { RouterOutputs } from "@companion/client";
import { companions, relationshipStates } from "@companion/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

type ConnectedPage = RouterOutputs["companions"]["connected"];

let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let ids: Record<string, string>;

beforeAll(async () => {
  t = await startTestServer();
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
  ids = await createPublicCompanions(t, ["ayla", "bruno", "cleo", "dex"]);
});
afterAll(async () => {
  await t.stop();
});

const idOf = (slug: string) => {
  const id = ids[slug];
  if (!id) throw new Error(`no companion ${slug}`);
  return id;
};

/** Sets when `userId` connected to `companionId`, since nobody waits between connects. */
const connectedAt = (userId: string, companionId: string, at: Date) =>
  t.database.db
    .update(relationshipStates)
    .set({ createdAt: at })
    .where(and(eq(relationshipStates.userId, userId), eq(relationshipStates.companionId, companionId)));

async function walk(user: SignedInUser, limit: number): Promise<{ slugs: string[]; pages: number }> {
  const slugs: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page: ConnectedPage = await user.api.companions.connected.query({ limit, ...(cursor ? { cursor } : {}) });
    slugs.push(...page.items.map((c) => c.slug));
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { slugs, pages };
}

describe("companions.connected", () => {
  it("lists only my connections, newest first, ties in time broken by id, each page once", async () => {
    expect(await alice.api.companions.connected.query({})).toEqual({ items: [], nextCursor: null });
    // Bob's own unlisted companion, which Alice connects to by id.
    const unlisted = await bob.api.companions.create.mutate({ name: "Quill", visibility: "unlisted" });
    for (const id of [idOf("ayla"), idOf("bruno"), idOf("cleo"), unlisted.id]) await alice.api.companions.connect.mutate({ companionId: id });
    await bob.api.companions.connect.mutate({ companionId: idOf("dex") });

    const base = Date.now() - 60_000;
    await connectedAt(alice.id, idOf("ayla"), new Date(base));
    await connectedAt(alice.id, idOf("bruno"), new Date(base + 1000));
    await connectedAt(alice.id, idOf("cleo"), new Date(base + 1000));
    await connectedAt(alice.id, unlisted.id, new Date(base + 2000));
    const tie = [
      { slug: "bruno", id: idOf("bruno") },
      { slug: "cleo", id: idOf("cleo") },
    ].sort((a, b) => (a.id < b.id ? 1 : -1));
    const expected = [unlisted.slug, ...tie.map((c) => c.slug), "ayla"];

    const first = await alice.api.companions.connected.query({ limit: 10 });
    expect(first.items.map((c) => c.slug)).toEqual(expected);
    expect(first.nextCursor).toBeNull();
    for (const c of first.items) expect(c.relationship.companionId).toBe(c.id);
    expect(first.items.map((c) => c.ownedByMe)).toEqual([false, false, false, false]);
    for (const limit of [1, 2, 3]) expect((await walk(alice, limit)).slugs).toEqual(expected);
    expect((await walk(alice, 1)).pages).toBe(4);

    expect((await bob.api.companions.connected.query({})).items.map((c) => c.slug)).toEqual(["dex"]);
  });

  it("shows my own companion as mine; leaves out one that turned private or was hidden, and a disconnected one", async () => {
    const mine = await bob.api.companions.create.mutate({ name: "Mine" });
    await bob.api.companions.connect.mutate({ companionId: mine.id });
    const own = (await bob.api.companions.connected.query({})).items.find((c) => c.id === mine.id);
    expect(own).toMatchObject({ ownedByMe: true, visibility: "private" });

    const before = (await alice.api.companions.connected.query({})).items.map((c) => c.slug);
    const quill = (await alice.api.companions.connected.query({})).items.find((c) => c.name === "Quill");
    if (!quill) throw new Error("Alice should be connected to Quill");
    await bob.api.companions.update.mutate({ companionId: quill.id, visibility: "private" });
    await t.database.db.update(companions).set({ hiddenAt: new Date() }).where(eq(companions.id, idOf("ayla")));
    await alice.api.companions.disconnect.mutate({ companionId: idOf("bruno") });
    const after = (await alice.api.companions.connected.query({})).items.map((c) => c.slug);
    expect(after).toEqual(before.filter((s) => s !== quill.slug && s !== "ayla" && s !== "bruno"));
    await t.database.db.update(companions).set({ hiddenAt: null }).where(eq(companions.id, idOf("ayla")));
  });

  it("rejects a bad cursor, another list's cursor and a bad limit (BAD_REQUEST); requires sign-in", async () => {
    const slugCursor = (await alice.api.companions.list.query({ limit: 1 })).nextCursor;
    expect(slugCursor).not.toBeNull();
    for (const input of [{ cursor: "garbage" }, { cursor: slugCursor ?? "" }, { limit: 0 }, { limit: 1000 }]) {
      expect((await failureOf(alice.api.companions.connected.query(input))).code).toBe("BAD_REQUEST");
    }
    expect((await failureOf(t.client().companions.connected.query({}))).code).toBe("UNAUTHORIZED");
  });
});
