/**
 * The inbox over HTTP (docs/chat-controls.md): messages.conversations (most recent first,
 * keyset pages, public profiles only, last message, unread counts) and messages.markRead.
 */
import type { RouterOutputs } from "@companion/client";
import { errorReason } from "@companion/client";
import { insertMessage, relationshipStates } from "@companion/db";
import { createTestDatabase } from "@companion/db/testing";
import type { Logger } from "drizzle-orm/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, PRIVATE_MARKER } from "./chat-fixtures.ts";
import { createPrivateCompanion, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { isDataQuery } from "./query-count.ts";

type Conversation = RouterOutputs["messages"]["conversations"]["items"][number];

const statements: string[] = [];
const logger: Logger = { logQuery: (query) => statements.push(query) };

let t: TestServer;
const base = Date.UTC(2026, 2, 1);
const at = (minutes: number) => new Date(base + minutes * 60_000);

beforeAll(async () => {
  // No jobs in this process: their statements would be counted with the requests'.
  t = await startTestServer({ JOBS_IN_PROCESS: "false" }, { database: await createTestDatabase({ logger }) });
});
afterAll(async () => {
  await t.stop();
});

async function say(user: SignedInUser, companionId: string, role: "user" | "assistant", content: string, minutes: number) {
  return insertMessage(t.database.db, { userId: user.id, companionId, role, content, createdAt: at(minutes) });
}

async function walk(user: SignedInUser, limit: number): Promise<{ items: Conversation[]; pages: number }> {
  const items: Conversation[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await user.api.messages.conversations.query({ limit, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 50);
  return { items, pages };
}

async function failure(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (err) {
    const data = (err as { data?: { code?: string; zodError?: { fieldErrors?: Record<string, unknown> } } }).data;
    return { reason: errorReason(err), code: data?.code, fields: Object.keys(data?.zodError?.fieldErrors ?? {}).sort() };
  }
  throw new Error("expected the call to fail");
}

/** A user connected to `count` new companions. */
async function userWith(count: number): Promise<{ user: SignedInUser; companions: { id: string; name: string }[] }> {
  const user = await signUp(t, "Inbox");
  const companions = [];
  for (let i = 0; i < count; i++) {
    const companion = await createCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId: companion.id });
    companions.push(companion);
  }
  return { user, companions };
}

describe("messages.conversations", () => {
  it("lists my conversations most recent first, in keyset pages, with the last message and public profiles only", async () => {
    const { user, companions } = await userWith(5);
    const [a, b, c, d, e] = companions.map((x) => x.id) as [string, string, string, string, string];
    await say(user, a, "user", "to a", 1);
    await say(user, b, "user", "to b", 2);
    await say(user, c, "user", "to c", 3);
    await say(user, a, "assistant", "a answers", 4); // a is now the most recent
    // d and e at the same instant: companion id breaks the tie.
    await say(user, d, "user", "to d", 3);
    await say(user, e, "user", "to e", 3);
    const never = (await userWith(0)).user; // connected to nothing, or talked to nobody: empty
    expect(await never.api.messages.conversations.query({})).toEqual({ items: [], nextCursor: null });

    const { items, pages } = await walk(user, 2);
    expect(pages).toBe(3);
    const tied = [c, d, e].sort().reverse();
    expect(items.map((i) => i.companion.id)).toEqual([a, ...tied, b]);
    const first = items[0];
    expect(first?.lastMessage).toMatchObject({ role: "assistant", content: "a answers", createdAt: at(4).toISOString() });
    expect(first?.lastMessageAt).toBe(at(4).toISOString());
    expect(Object.keys(first?.companion ?? {}).sort()).toEqual(["avatarUrl", "bio", "id", "name", "slug", "tagline", "traits"]);
    expect(JSON.stringify(items)).not.toContain(PRIVATE_MARKER);
    // Another user's conversations with the same companions never show.
    const other = await signUp(t, "Other");
    await other.api.companions.connect.mutate({ companionId: a });
    expect((await other.api.messages.conversations.query({})).items).toEqual([]);
  });

  it("counts the companion's messages after my read marker and my own last message; markRead moves forward only", async () => {
    const { user, companions } = await userWith(1);
    const id = companions[0]?.id ?? "";
    await say(user, id, "assistant", "greeting", 1);
    await say(user, id, "user", "hello", 2); // writing implies having read the greeting
    const r1 = await say(user, id, "assistant", "reply one", 3);
    await say(user, id, "assistant", "proactive two", 4);
    await say(user, id, "assistant", "proactive three", 5);
    const unread = async () => (await user.api.messages.conversations.query({})).items[0]?.unreadCount;
    expect(await unread()).toBe(3);

    expect(await user.api.messages.markRead.mutate({ companionId: id, upTo: r1.id })).toEqual({ unreadCount: 2 });
    expect(await unread()).toBe(2);
    // Idempotent, and an older message does not move the marker back.
    expect(await user.api.messages.markRead.mutate({ companionId: id, upTo: r1.id })).toEqual({ unreadCount: 2 });
    expect(await user.api.messages.markRead.mutate({ companionId: id })).toEqual({ unreadCount: 0 });
    expect(await user.api.messages.markRead.mutate({ companionId: id, upTo: r1.id })).toEqual({ unreadCount: 0 });
    expect(await unread()).toBe(0);
    await say(user, id, "assistant", "later", 6);
    expect(await unread()).toBe(1);
  });

  it("caps unread counts at 100", async () => {
    const { user, companions } = await userWith(1);
    const id = companions[0]?.id ?? "";
    for (let i = 0; i < 105; i++) await say(user, id, "assistant", `news ${i}`, i);
    expect((await user.api.messages.conversations.query({})).items[0]?.unreadCount).toBe(100);
  });

  it("issues one data query per page", async () => {
    const { user, companions } = await userWith(3);
    for (const [i, c] of companions.entries()) await say(user, c.id, "assistant", `hi ${i}`, i);
    const first = await user.api.messages.conversations.query({ limit: 2 });
    for (const cursor of [undefined, first.nextCursor ?? undefined]) {
      statements.length = 0;
      const page = await user.api.messages.conversations.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeGreaterThan(0);
      expect(statements.filter(isDataQuery)).toHaveLength(1);
    }
  });

  it("hides companions I may no longer see; refuses others' messages, bad cursors and bad input", async () => {
    const { user, companions } = await userWith(1);
    const id = companions[0]?.id ?? "";
    const mine = await say(user, id, "assistant", "hello", 1);
    const owner = await signUp(t, "Owner");
    const hidden = await createPrivateCompanion(t, owner.id);
    await say(user, hidden, "user", "I talked to it before it went private", 2);
    // A connection made while it was visible (connect would refuse it now).
    await t.database.db.insert(relationshipStates).values({ userId: user.id, companionId: hidden, lastMessageAt: at(2) });
    expect((await user.api.messages.conversations.query({})).items.map((i) => i.companion.id)).toEqual([id]);

    const other = await signUp(t, "Other");
    expect(await failure(() => other.api.messages.markRead.mutate({ companionId: id, upTo: mine.id }))).toMatchObject({ reason: "NOT_FOUND" });
    expect(await failure(() => other.api.messages.markRead.mutate({ companionId: id }))).toMatchObject({ reason: "NOT_FOUND" });
    expect(await failure(() => user.api.messages.markRead.mutate({ companionId: hidden }))).toMatchObject({ reason: "NOT_FOUND" });
    expect(await failure(() => user.api.messages.markRead.mutate({ companionId: "x", upTo: "y" }))).toMatchObject({
      code: "BAD_REQUEST",
      fields: ["companionId", "upTo"],
    });

    const listCursor = (await user.api.messages.list.query({ companionId: id, limit: 1 })).nextCursor;
    for (const cursor of ["garbage", Buffer.from(`inbox:${Date.now()}:not-a-uuid`).toString("base64url"), listCursor ?? Buffer.from(`${Date.now()}:${id}`).toString("base64url")]) {
      expect(await failure(() => user.api.messages.conversations.query({ cursor }))).toMatchObject({ reason: "INVALID_CURSOR", code: "BAD_REQUEST" });
    }
    expect(await failure(() => user.api.messages.conversations.query({ limit: 500 }))).toMatchObject({ code: "BAD_REQUEST", fields: ["limit"] });
  });
});
