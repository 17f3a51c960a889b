/**
 * Own companions (docs/companions.md) through packages/client: create, update, delete, mine,
 * own; who sees what at each visibility; that nobody but the owner edits, deletes or reads the
 * private fields; the daily quota, the field caps and the avatar upload rule.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTRPCClientError, type RouterInputs } from "@companion/client";
import { COMPANION_LIMITS } from "@companion/validators";
import { companionPersonas, companions, messages, relationshipStates } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicCompanions, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const QUOTA = 4;
const MARKER = "OWN-PRIVATE-c41e";

let t: TestServer;
let mediaDir: string;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), "companion-own-"));
  t = await startTestServer({ MEDIA_DIR: mediaDir, COMPANION_DAILY_QUOTA: String(QUOTA), RATE_UPLOAD_PER_MIN: "1000" });
});
afterAll(async () => {
  await t.stop();
  await rm(mediaDir, { recursive: true, force: true });
});

type Definition = RouterInputs["companions"]["create"];
type Visibility = "private" | "unlisted" | "public";

/** A definition with MARKER in every private field. */
const definition = (overrides: Partial<Definition> = {}): Definition => ({
  name: "Pixel the Fox",
  tagline: "A public tagline",
  bio: "A public bio",
  traits: ["playful"],
  greeting: "Hi {{user}}, I am {{char}}.",
  alternateGreetings: ["Hello again"],
  systemPrompt: `${MARKER} system prompt`,
  speakingStyle: `${MARKER} speaking style`,
  backstory: `${MARKER} backstory`,
  personality: `${MARKER} personality`,
  scenario: `${MARKER} scenario`,
  exampleDialogues: `${MARKER} example dialogues`,
  postHistoryInstructions: `${MARKER} post-history instructions`,
  catchphrases: [`${MARKER} catchphrase`],
  neverSay: [`${MARKER} never say`],
  ...overrides,
});

/** Runs a call that must fail; its HTTP-level code, reason and field errors. */
async function failureOf(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (err) {
    if (isTRPCClientError(err)) {
      return {
        code: err.data?.code as string | undefined,
        reason: err.data?.reason ?? null,
        message: err.message,
        fieldErrors: (err.data?.zodError?.fieldErrors ?? {}),
        httpStatus: err.data?.httpStatus,
        retryAfterMs: err.data?.retryAfterMs ?? null,
      };
    }
    throw err;
  }
  throw new Error("expected the call to fail");
}

const codeOf = async (call: () => Promise<unknown>) => (await failureOf(call)).code;
const newKey = () => randomUUID();

async function dbRows(companionId: string) {
  const [profile] = await t.database.db.select().from(companions).where(eq(companions.id, companionId));
  const [persona] = await t.database.db.select().from(companionPersonas).where(eq(companionPersonas.companionId, companionId));
  return { profile, persona };
}

async function upload(user: SignedInUser, contentType: "image/png" | "video/mp4" = "image/png", finish = true): Promise<string> {
  const bytes = randomBytes(512);
  const up = await user.api.media.createUpload.mutate({ contentType, byteSize: bytes.length, fileName: "avatar" });
  if (finish) {
    const res = await fetch(new URL(up.uploadUrl, t.url), { method: "PUT", body: bytes, headers: up.headers });
    expect(res.status).toBe(200);
  }
  return up.mediaKey;
}

describe("own companions: create, read back, update, delete", () => {
  it("round-trips every field for the owner, newest first in mine, with a slug from the name", async () => {
    const alice = await signUp(t, "Alice");
    const created = await alice.api.companions.create.mutate(definition());
    expect(created).toMatchObject({ ...definition(), visibility: "private", avatarKey: null, avatarUrl: null });
    expect(created.slug).toMatch(/^pixel-the-fox-[0-9a-z]{6}$/);
    expect(await alice.api.companions.own.query({ companionId: created.id })).toEqual(created);

    // Defaults make a minimal companion a name.
    const minimal = await alice.api.companions.create.mutate({ name: "Ünïcode ☃" });
    expect(minimal).toMatchObject({ name: "Ünïcode ☃", systemPrompt: "", catchphrases: [], visibility: "private" });
    expect(minimal.slug).toMatch(/^unicode-[0-9a-z]{6}$/);

    const updated = await alice.api.companions.update.mutate({ companionId: created.id, bio: "New bio", neverSay: ["spoilers"], visibility: "unlisted" });
    expect(updated).toMatchObject({ bio: "New bio", neverSay: ["spoilers"], visibility: "unlisted", systemPrompt: `${MARKER} system prompt` });
    expect(new Date(updated.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());

    const first = await alice.api.companions.mine.query({ limit: 1 });
    expect(first.items.map((c) => c.id)).toEqual([minimal.id]);
    const second = await alice.api.companions.mine.query({ limit: 1, cursor: first.nextCursor ?? "" });
    expect(second.items.map((c) => c.id)).toEqual([created.id]);
    expect(second.items[0]?.systemPrompt).toBe(`${MARKER} system prompt`);
    expect(second.nextCursor).toBeNull();

    expect(await alice.api.companions.delete.mutate({ companionId: created.id })).toEqual({ deleted: true });
    expect(await alice.api.companions.delete.mutate({ companionId: created.id })).toEqual({ deleted: false });
    expect(await codeOf(() => alice.api.companions.own.query({ companionId: created.id }))).toBe("NOT_FOUND");
    expect((await dbRows(created.id)).persona).toBeUndefined();
  });

  it("refuses an empty update, and an update naming nothing but the id", async () => {
    const alice = await signUp(t, "Alice");
    const c = await alice.api.companions.create.mutate(definition());
    expect(await codeOf(() => alice.api.companions.update.mutate({ companionId: c.id }))).toBe("BAD_REQUEST");
  });
});

describe("visibility", () => {
  const cases: { visibility: Visibility; listedForOthers: boolean; reachableByOthers: boolean }[] = [
    { visibility: "private", listedForOthers: false, reachableByOthers: false },
    { visibility: "unlisted", listedForOthers: false, reachableByOthers: true },
    { visibility: "public", listedForOthers: true, reachableByOthers: true },
  ];

  for (const { visibility, listedForOthers, reachableByOthers } of cases) {
    it(`${visibility}: the owner sees, connects and chats; others ${reachableByOthers ? "reach it by id" : "get NOT_FOUND"}`, async () => {
      const [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
      const c = await alice.api.companions.create.mutate(definition({ visibility }));

      // The owner, whatever the visibility.
      const mine = await alice.api.companions.list.query({ limit: 100 });
      expect(mine.items.find((x) => x.id === c.id)).toMatchObject({ visibility, ownedByMe: true });
      expect(await alice.api.companions.byId.query({ companionId: c.id })).toMatchObject({ id: c.id, ownedByMe: true });
      await alice.api.companions.connect.mutate({ companionId: c.id });
      const sent = await alice.api.messages.send.mutate({ companionId: c.id, content: "hello me", idempotencyKey: newKey() });
      expect(sent.userMessage.content).toBe("hello me");

      // Someone else.
      const listed = await bob.api.companions.list.query({ limit: 100 });
      expect(listed.items.some((x) => x.id === c.id)).toBe(listedForOthers);
      if (reachableByOthers) {
        const seen = await bob.api.companions.byId.query({ companionId: c.id });
        expect(seen).toMatchObject({ id: c.id, name: c.name, visibility, ownedByMe: false });
        const state = await bob.api.companions.connect.mutate({ companionId: c.id });
        expect(state.companionId).toBe(c.id);
        const reply = await bob.api.messages.send.mutate({ companionId: c.id, content: "hello there", idempotencyKey: newKey() });
        expect(reply.userMessage.content).toBe("hello there");
        const relationship = await bob.api.companions.relationship.query({ companionId: c.id });
        // None of what anyone else is sent carries a private field.
        for (const out of [listed, seen, state, relationship]) expect(JSON.stringify(out)).not.toContain(MARKER);
      } else {
        expect(JSON.stringify(listed)).not.toContain(MARKER);
        expect(await codeOf(() => bob.api.companions.byId.query({ companionId: c.id }))).toBe("NOT_FOUND");
        expect(await codeOf(() => bob.api.companions.connect.mutate({ companionId: c.id }))).toBe("NOT_FOUND");
        expect(await codeOf(() => bob.api.messages.send.mutate({ companionId: c.id, content: "hi", idempotencyKey: newKey() }))).toBe("NOT_FOUND");
        expect(await codeOf(() => bob.api.messages.list.query({ companionId: c.id, limit: 10 }))).toBe("NOT_FOUND");
        expect(await codeOf(() => bob.api.companions.relationship.query({ companionId: c.id }))).toBe("NOT_FOUND");
      }
      await t.settle();
    });
  }

  it("turning a public companion private cuts off those already chatting with it", async () => {
    const [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
    const c = await alice.api.companions.create.mutate(definition({ visibility: "public" }));
    await bob.api.companions.connect.mutate({ companionId: c.id });
    await bob.api.messages.send.mutate({ companionId: c.id, content: "before", idempotencyKey: newKey() });
    await t.settle();

    await alice.api.companions.update.mutate({ companionId: c.id, visibility: "private" });
    expect(await codeOf(() => bob.api.companions.byId.query({ companionId: c.id }))).toBe("NOT_FOUND");
    expect(await codeOf(() => bob.api.companions.connect.mutate({ companionId: c.id }))).toBe("NOT_FOUND");
    expect(await codeOf(() => bob.api.messages.send.mutate({ companionId: c.id, content: "after", idempotencyKey: newKey() }))).toBe("NOT_FOUND");
    expect(await codeOf(() => bob.api.messages.list.query({ companionId: c.id, limit: 10 }))).toBe("NOT_FOUND");
    expect(await codeOf(() => bob.api.companions.relationship.query({ companionId: c.id }))).toBe("NOT_FOUND");
    expect((await bob.api.companions.list.query({ limit: 100 })).items.some((x) => x.id === c.id)).toBe(false);
  });
});

describe("nobody but the owner edits, deletes or reads the private fields", () => {
  for (const visibility of ["private", "unlisted", "public"] as const) {
    it(`${visibility}: update, delete and own are refused and change nothing`, async () => {
      const [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
      const c = await alice.api.companions.create.mutate(definition({ visibility }));
      const before = await dbRows(c.id);

      expect(await codeOf(() => bob.api.companions.update.mutate({ companionId: c.id, systemPrompt: "hijacked", name: "Hijacked" }))).toBe("NOT_FOUND");
      expect(await codeOf(() => bob.api.companions.own.query({ companionId: c.id }))).toBe("NOT_FOUND");
      expect(JSON.stringify((await bob.api.companions.mine.query({ limit: 100 })).items)).not.toContain(c.id);
      if (visibility === "private") {
        // A companion Bob may not see is, to him, one that does not exist: nothing to delete.
        expect(await bob.api.companions.delete.mutate({ companionId: c.id })).toEqual({ deleted: false });
      } else {
        expect(await codeOf(() => bob.api.companions.delete.mutate({ companionId: c.id }))).toBe("NOT_FOUND");
      }

      expect(await dbRows(c.id)).toEqual(before);
      expect(await alice.api.companions.own.query({ companionId: c.id })).toEqual(c);
    });
  }

  it("a system companion is nobody's to edit or delete", async () => {
    const bob = await signUp(t, "Bob");
    const { sys } = await createPublicCompanions(t, [`sys-${randomBytes(3).toString("hex")}`]).then((ids) => ({ sys: Object.values(ids)[0] ?? "" }));
    const before = await dbRows(sys);
    expect(await codeOf(() => bob.api.companions.update.mutate({ companionId: sys, name: "Mine now" }))).toBe("NOT_FOUND");
    expect(await codeOf(() => bob.api.companions.delete.mutate({ companionId: sys }))).toBe("NOT_FOUND");
    expect(await codeOf(() => bob.api.companions.own.query({ companionId: sys }))).toBe("NOT_FOUND");
    expect(await dbRows(sys)).toEqual(before);
    expect(await bob.api.companions.byId.query({ companionId: sys })).toMatchObject({ ownedByMe: false, visibility: "public" });
  });

  it("deleting a companion deletes everyone's conversation with it", async () => {
    const [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
    const c = await alice.api.companions.create.mutate(definition({ visibility: "public" }));
    await bob.api.companions.connect.mutate({ companionId: c.id });
    await bob.api.messages.send.mutate({ companionId: c.id, content: "hi", idempotencyKey: newKey() });
    await t.settle();
    expect((await t.database.db.select({ id: messages.id }).from(messages).where(eq(messages.companionId, c.id))).length).toBeGreaterThan(0);

    expect(await alice.api.companions.delete.mutate({ companionId: c.id })).toEqual({ deleted: true });
    expect(await t.database.db.select({ id: messages.id }).from(messages).where(eq(messages.companionId, c.id))).toEqual([]);
    expect(await t.database.db.select({ id: relationshipStates.id }).from(relationshipStates).where(eq(relationshipStates.companionId, c.id))).toEqual([]);
    expect(await codeOf(() => bob.api.companions.byId.query({ companionId: c.id }))).toBe("NOT_FOUND");
  });
});

describe("daily quota", () => {
  it(`the ${QUOTA + 1}th companion of the day is QUOTA_EXCEEDED (429) with a reason`, async () => {
    const alice = await signUp(t, "Alice");
    for (let i = 0; i < QUOTA; i++) await alice.api.companions.create.mutate({ name: `Quota ${i}` });
    const over = await failureOf(() => alice.api.companions.create.mutate({ name: "One too many" }));
    expect(over).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "QUOTA_EXCEEDED", httpStatus: 429 });
    expect(over.message).toContain(`${QUOTA} new companions a day`);
    expect(over.retryAfterMs).toBeGreaterThan(0);
    expect(over.retryAfterMs).toBeLessThanOrEqual(86_400_000);
    // Someone else's quota is their own.
    const bob = await signUp(t, "Bob");
    await bob.api.companions.create.mutate({ name: "Bob's first" });
  });

  it("concurrent creations do not exceed it", async () => {
    const alice = await signUp(t, "Alice");
    const results = await Promise.allSettled(Array.from({ length: QUOTA + 4 }, (_, i) => alice.api.companions.create.mutate({ name: `Racer ${i}` })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(QUOTA);
    for (const r of results) {
      if (r.status === "rejected") expect(isTRPCClientError(r.reason) && r.reason.data?.reason).toBe("QUOTA_EXCEEDED");
    }
    const rows = await t.database.db.select({ id: companions.id }).from(companions).where(eq(companions.ownerUserId, alice.id));
    expect(rows).toHaveLength(QUOTA);
  });
});

describe("field limits", () => {
  const L = COMPANION_LIMITS;
  const over: [keyof Definition, unknown][] = [
    ["name", "n".repeat(L.name + 1)],
    ["greeting", "g".repeat(L.greeting + 1)],
    ["alternateGreetings", Array.from({ length: L.alternateGreetings + 1 }, () => "hi")],
    ["systemPrompt", "s".repeat(L.systemPrompt + 1)],
    ["speakingStyle", "s".repeat(L.speakingStyle + 1)],
    ["backstory", "b".repeat(L.backstory + 1)],
    ["personality", "p".repeat(L.personality + 1)],
    ["scenario", "s".repeat(L.scenario + 1)],
    ["exampleDialogues", "e".repeat(L.exampleDialogues + 1)],
    ["postHistoryInstructions", "p".repeat(L.postHistoryInstructions + 1)],
    ["catchphrases", Array.from({ length: L.catchphrases + 1 }, (_, i) => `phrase ${i}`)],
    ["catchphrases", ["c".repeat(L.catchphrase + 1)]],
    ["neverSay", Array.from({ length: L.neverSay + 1 }, (_, i) => `word ${i}`)],
    ["neverSay", ["n".repeat(L.neverSayItem + 1)]],
  ];

  it("each over-size field is BAD_REQUEST naming it, on create and on update", async () => {
    const alice = await signUp(t, "Alice");
    const c = await alice.api.companions.create.mutate(definition());
    for (const [field, value] of over) {
      const onCreate = await failureOf(() => alice.api.companions.create.mutate({ ...definition(), [field]: value }));
      expect(onCreate.code, field).toBe("BAD_REQUEST");
      expect(Object.keys(onCreate.fieldErrors), field).toEqual([field]);
      const onUpdate = await failureOf(() => alice.api.companions.update.mutate({ companionId: c.id, [field]: value }));
      expect(Object.keys(onUpdate.fieldErrors), field).toEqual([field]);
    }
    // At the limit it fits.
    const atLimit = await alice.api.companions.update.mutate({ companionId: c.id, systemPrompt: "s".repeat(L.systemPrompt) });
    expect(atLimit.systemPrompt).toHaveLength(L.systemPrompt);
    // None of the refused calls was created (the quota is QUOTA, one used).
    expect((await alice.api.companions.mine.query({ limit: 100 })).items).toHaveLength(1);
  });
});

describe("avatar", () => {
  it("must be an image I uploaded and finished uploading", async () => {
    const [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
    const alicesImage = await upload(alice);
    const pending = await upload(bob, "image/png", false);
    const video = await upload(bob, "video/mp4");
    for (const avatarKey of [alicesImage, pending, video, `u/${bob.id}/${randomUUID()}.png`]) {
      const failure = await failureOf(() => bob.api.companions.create.mutate({ name: "Stolen face", avatarKey }));
      expect(failure.code).toBe("BAD_REQUEST");
      expect(failure.message).toContain("avatarKey");
    }
    const mineNow = await bob.api.companions.create.mutate({ name: "Plain" });
    expect((await failureOf(() => bob.api.companions.update.mutate({ companionId: mineNow.id, avatarKey: alicesImage }))).message).toContain("avatarKey");
    expect((await dbRows(mineNow.id)).profile?.avatarKey).toBeNull();
  });

  it("is served through a signed URL bound to the companion, kept from the purge while in use", async () => {
    const [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
    const key = await upload(alice);
    const c = await alice.api.companions.create.mutate({ name: "Framed", avatarKey: key, visibility: "unlisted" });
    expect(c.avatarKey).toBe(key);
    expect(c.avatarUrl).toMatch(new RegExp(`^/media/${key}\\?companion=${c.id}&expires=\\d+&sig=`));

    const seen = await bob.api.companions.byId.query({ companionId: c.id });
    const res = await fetch(new URL(seen.avatarUrl ?? "", t.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    // Unsigned, or the signature moved to another companion: refused.
    expect((await fetch(new URL(`/media/${key}`, t.url))).status).toBe(403);
    expect((await fetch(new URL((seen.avatarUrl ?? "").replace(c.id, randomUUID()), t.url))).status).toBe(403);

    // The media purge leaves an avatar in use alone.
    const purged = await t.server.runtime.services.media.purge(t.database.db, [key]);
    expect(purged.deleted).toEqual([]);
    expect((await fetch(new URL(seen.avatarUrl ?? "", t.url))).status).toBe(200);

    // A public companion's avatar may sit in shared caches, for at most what is left of its URL.
    const madePublic = await alice.api.companions.update.mutate({ companionId: c.id, visibility: "public" });
    const publicRes = await fetch(new URL(madePublic.avatarUrl ?? "", t.url));
    expect(publicRes.status).toBe(200);
    expect(publicRes.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);

    // Another avatar revokes the old URL at once.
    await alice.api.companions.update.mutate({ companionId: c.id, avatarKey: null });
    expect((await fetch(new URL(seen.avatarUrl ?? "", t.url))).status).toBe(404);
    expect((await alice.api.companions.own.query({ companionId: c.id })).avatarUrl).toBeNull();
  });
});
