/**
 * auth.exportData / exportStatus and auth.updateProfile over HTTP (docs/account.md): the archive
 * through its signed URL with plain fetch, refused when forged, expired or another's; the profile
 * with an uploaded avatar.
 */
import { dataExports } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, streamToEnd } from "./chat-fixtures.ts";
import { failureOf } from "./companion-fixtures.ts";
import type { TestServer } from "./harness.ts";
import { postStory, startSocialServer, upload } from "./social-fixtures.ts";
import { signUp } from "./story-fixtures.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startSocialServer();
});
afterAll(async () => {
  await t.stop();
});

const get = (url: string) => fetch(new URL(url, t.url));

describe("auth.exportData", () => {
  it("builds a JSON archive of what I own; a notification and exportStatus link it for 15 minutes", async () => {
    const ana = await signUp(t, "Ana");
    const companion = await createCompanion(t.database.db);
    await ana.api.companions.connect.mutate({ companionId: companion.id });
    const own = await ana.api.companions.create.mutate({ name: "Mine", systemPrompt: "MY-PERSONA-TEXT" });
    await streamToEnd(ana.api, { companionId: companion.id, content: "I like lighthouses", idempotencyKey: newKey() });
    await ana.api.memories.create.mutate({ companionId: companion.id, content: "Ana likes lighthouses" });
    const story = await postStory(t, ana, { visibility: "public", caption: "my story" });
    const bob = await signUp(t, "Bob");
    await ana.api.social.follow.mutate({ userId: bob.id });
    const bobStory = await postStory(t, bob, { visibility: "public" });
    await ana.api.stories.react.mutate({ mediaId: bobStory.slides[0]?.id ?? "", emoji: "🔥" });

    expect(await ana.api.auth.exportStatus.query()).toBeNull();
    const requested = await ana.api.auth.exportData.mutate();
    expect(requested).toMatchObject({ status: "pending", url: null });
    await t.settle();

    const notes = await ana.api.notifications.list.query({});
    const ready = notes.items.find((n) => n.kind === "data_export_ready");
    if (!ready || ready.kind !== "data_export_ready") throw new Error("no data_export_ready notification");
    expect(ready.data.exportId).toBe(requested.id);
    expect(ready.text).toBe("Your data export is ready to download");
    const url = ready.data.url ?? "";
    const urlLife = new Date(ready.data.urlExpiresAt ?? 0).getTime() - Date.now();
    expect(urlLife).toBeGreaterThan(14 * 60_000);
    expect(urlLife).toBeLessThanOrEqual(15 * 60_000);

    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const archive = (await res.json()) as Record<string, unknown>;
    const section = (name: string, field: string) => (archive[name] as Record<string, unknown>[]).map((r) => r[field]);
    expect(archive.profile).toMatchObject({ id: ana.id, display_name: "Ana" });
    expect(section("companions", "id")).toEqual([own.id]);
    expect(section("companions", "system_prompt")).toEqual(["MY-PERSONA-TEXT"]);
    expect(section("messages", "content")).toContain("I like lighthouses");
    expect(section("memories", "content")).toContain("Ana likes lighthouses");
    expect(section("relationships", "companion_id")).toContain(companion.id);
    expect(section("stories", "id")).toEqual([story.id]);
    expect(archive.reactions).toMatchObject([{ story_id: bobStory.id, emoji: "🔥" }]);
    expect(section("following", "user_id")).toEqual([bob.id]);
    // Nothing of Bob's but what is about Ana.
    expect(JSON.stringify(archive)).not.toContain(bobStory.slides[0]?.url ?? "never");

    const status = await ana.api.auth.exportStatus.query();
    expect(status).toMatchObject({ id: requested.id, status: "ready" });
    expect((await get(status?.url ?? "")).status).toBe(200);

    // Forged: another signature, another export id, another key.
    const forged = new URL(url, t.url);
    forged.searchParams.set("sig", "A".repeat(43));
    expect((await get(forged.toString())).status).toBe(403);
    const otherExport = new URL(url, t.url);
    otherExport.searchParams.set("export", "00000000-0000-4000-8000-000000000000");
    expect((await get(otherExport.toString())).status).toBe(403);
    // Bob cannot get it: he has no URL, and his own export's URL does not open Ana's file.
    expect(await bob.api.auth.exportStatus.query()).toBeNull();
    const bobExport = await bob.api.auth.exportData.mutate();
    await t.settle();
    const bobStatus = await bob.api.auth.exportStatus.query();
    expect(bobStatus?.id).toBe(bobExport.id);
    const swapped = new URL(bobStatus?.url ?? "", t.url);
    swapped.pathname = new URL(url, t.url).pathname;
    expect((await get(swapped.toString())).status).toBe(403);
    // A preview-style URL (no export binding) for an archive key is refused.
    const unbound = new URL(url, t.url);
    unbound.searchParams.delete("export");
    expect((await get(unbound.toString())).status).toBe(403);

    // Expired URL.
    const expired = new URL(url, t.url);
    expired.searchParams.set("expires", String(Math.floor(Date.now() / 1000) - 10));
    expect((await get(expired.toString())).status).toBe(403);

    // The archive expires: the sweep deletes it and its URL stops working.
    await t.database.db.update(dataExports).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(dataExports.id, requested.id));
    expect((await get(url)).status).toBe(404);
    await t.runJob("exports.prune");
    expect(await countRows(requested.id)).toBe(0);
    expect(await ana.api.auth.exportStatus.query()).toBeNull();
  });
});

async function countRows(id: string): Promise<number> {
  const rows = await t.database.db.select({ id: dataExports.id }).from(dataExports).where(eq(dataExports.id, id));
  return rows.length;
}

describe("auth.updateProfile", () => {
  it("changes name, avatar, time zone, quiet hours and language; auth.me shows them", async () => {
    const ana = await signUp(t, "Ana");
    const avatarKey = await upload(t, ana);
    const updated = await ana.api.auth.updateProfile.mutate({
      displayName: "Ana Maria",
      avatarKey,
      timeZone: "Europe/Lisbon",
      quietHours: { start: "23:00", end: "07:30" },
      language: "pt-BR",
    });
    expect(updated).toMatchObject({ displayName: "Ana Maria", timeZone: "Europe/Lisbon", quietHours: { start: "23:00", end: "07:30" }, language: "pt-BR" });
    expect(updated.avatarUrl).toMatch(/^\/media\/u\//);
    expect((await get(updated.avatarUrl ?? "")).status).toBe(200);
    const me = await ana.api.auth.me.query();
    expect(me).toMatchObject({ displayName: "Ana Maria", language: "pt-BR", timeZone: "Europe/Lisbon" });
    expect(me.avatarUrl).toMatch(/^\/media\/u\//);
    // The settings share the fields: one source.
    expect(await ana.api.settings.get.query()).toMatchObject({ timeZone: "Europe/Lisbon", quietHours: { start: "23:00", end: "07:30" } });

    expect((await ana.api.auth.updateProfile.mutate({ avatarKey: null, quietHours: null })).avatarUrl).toBeNull();
    expect((await ana.api.auth.me.query()).quietHours).toBeNull();
  });

  it("refuses another person's upload, a bad language tag, an unknown zone and an empty update", async () => {
    const ana = await signUp(t, "Ana");
    const bob = await signUp(t, "Bob");
    const bobsKey = await upload(t, bob);
    const notMine = await failureOf(() => ana.api.auth.updateProfile.mutate({ avatarKey: bobsKey }));
    expect(notMine).toMatchObject({ code: "BAD_REQUEST" });
    expect(notMine.message).toMatch(/^avatarKey:/);
    for (const language of ["english!", "e", "pt_BR", "x".repeat(40)]) {
      expect((await failureOf(() => ana.api.auth.updateProfile.mutate({ language }))).fieldErrors).toHaveProperty("language");
    }
    expect((await failureOf(() => ana.api.auth.updateProfile.mutate({ timeZone: "Mars/Olympus" }))).fieldErrors).toHaveProperty("timeZone");
    expect((await failureOf(() => ana.api.auth.updateProfile.mutate({}))).code).toBe("BAD_REQUEST");
    for (const language of ["en", "pt-BR", "zh-Hant-TW", "es-419"]) {
      expect((await ana.api.auth.updateProfile.mutate({ language })).language).toBe(language);
    }
  });
});
