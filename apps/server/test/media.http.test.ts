import { stories } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { rawRequest } from "./raw-http.ts";
import { createCompanion, insertStory, signUp } from "./story-fixtures.ts";

let t: TestServer;
beforeAll(async () => {
  // What the embedded default does: seed demo content and run the jobs in-process.
  t = await startTestServer({ SEED_DEMO: "true", JOBS_IN_PROCESS: "true", STORY_EXPIRY_CRON: "*/2 * * * *" });
});
afterAll(async () => {
  await t.stop();
});

/** A raw request: fetch() would normalise `..` away before it ever reached the server. */
async function rawGet(path: string): Promise<{ status: number; body: string }> {
  const res = await rawRequest(t.url, path);
  return { status: res.status, body: res.body.toString("utf8") };
}

describe("demo content on the embedded default", () => {
  it("seeds stories whose slides and avatars the server serves", async () => {
    const user = await signUp(t, "Demo");
    const list = await user.api.companions.list.query({ limit: 10 });
    const luna = list.items.find((c) => c.slug === "luna");
    if (!luna) throw new Error("luna was not seeded");
    await user.api.companions.connect.mutate({ companionId: luna.id });

    const feed = await user.api.stories.feed.query({ limit: 10 });
    expect(feed.items.map((s) => s.slides.length)).toEqual([2, 3]);
    expect(feed.items.every((s) => s.author.name === "Luna")).toBe(true);
    const urls = [...feed.items.flatMap((s) => s.slides.map((m) => m.url)), luna.avatarUrl ?? ""];
    expect(urls).toContain("/media/demo/luna/1.svg");
    for (const url of urls) {
      const res = await fetch(new URL(url, t.url));
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/svg+xml");
      expect(await res.text()).toMatch(/^<svg /);
    }
  });
});

describe("GET /media/...", () => {
  const url = () => new URL("/media/avatars/luna.svg", t.url);

  it("serves with cache headers, and 304 for a matching If-None-Match", async () => {
    const res = await fetch(url());
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400, immutable");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const body = await res.text();
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(body));

    // A browser revalidating its cached copy.
    const again = await rawRequest(t.url, url().pathname, { headers: { "if-none-match": `"nope", ${etag ?? ""}` } });
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(etag);
    expect(again.body.length).toBe(0);
    expect((await rawRequest(t.url, url().pathname, { headers: { "if-none-match": '"other"' } })).status).toBe(200);
    const lastModified = res.headers.get("last-modified") ?? "";
    expect((await rawRequest(t.url, url().pathname, { headers: { "if-modified-since": lastModified } })).status).toBe(304);
  });

  it("answers Range requests: 206 with Content-Range, If-Range, 416 past the end", async () => {
    const full = Buffer.from(await (await fetch(url())).arrayBuffer());
    const etag = `"${full.length.toString(16)}-`;
    const part = await rawRequest(t.url, url().pathname, { headers: { range: "bytes=5-14" } });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 5-14/${full.length}`);
    expect(part.headers["content-length"]).toBe("10");
    expect(part.headers["content-type"]).toBe("image/svg+xml");
    expect(part.body.equals(full.subarray(5, 15))).toBe(true);
    const suffix = await rawRequest(t.url, url().pathname, { headers: { range: "bytes=-4" } });
    expect(suffix.status).toBe(206);
    expect(suffix.body.equals(full.subarray(full.length - 4))).toBe(true);

    const current = part.headers.etag ?? "";
    expect(current.startsWith(etag)).toBe(true);
    // If-Range: the range while the copy is current, the whole file once it is not.
    expect((await rawRequest(t.url, url().pathname, { headers: { range: "bytes=0-3", "if-range": current } })).status).toBe(206);
    const stale = await rawRequest(t.url, url().pathname, { headers: { range: "bytes=0-3", "if-range": '"stale"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(full)).toBe(true);

    const beyond = await rawRequest(t.url, url().pathname, { headers: { range: `bytes=${full.length + 10}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers["content-range"]).toBe(`bytes */${full.length}`);
    expect(beyond.headers["cache-control"]).toBeUndefined();
    expect((await rawRequest(t.url, url().pathname, { headers: { "if-match": '"stale"' } })).status).toBe(412);
  });

  it("answers HEAD with headers only, and refuses other methods", async () => {
    const head = await fetch(url(), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("content-length"))).toBeGreaterThan(100);
    expect(head.headers.get("accept-ranges")).toBe("bytes");
    expect(await head.text()).toBe("");
    const headRange = await rawRequest(t.url, url().pathname, { method: "HEAD", headers: { range: "bytes=0-9" } });
    expect(headRange.status).toBe(206);
    expect(headRange.headers["content-length"]).toBe("10");
    expect(headRange.body.length).toBe(0);
    const post = await fetch(url(), { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("refuses traversal, encoded separators, directories, dotfiles and unknown types with 404", async () => {
    for (const path of [
      "/media/../package.json",
      "/media/../../package.json",
      "/media/%2e%2e/package.json",
      "/media/%2E%2E/%2E%2E/package.json",
      "/media/demo/%2e%2e/%2e%2e/src/media.ts",
      "/media/demo%2F..%2F..%2Fpackage.json",
      "/media/demo/luna%2F1.svg",
      "/media/demo/luna%5c1.svg",
      "/media/demo/luna/1.svg%00.svg",
      "/media/%E0%A4%A",
      "/media/",
      "/media/demo",
      "/media/demo/",
      "/media/demo/luna/",
      "/media/.gitkeep",
      "/media/avatars/.luna.svg",
      "/media/avatars//luna.svg",
      "/media/avatars/luna.txt",
      "/media/avatars/nobody.svg",
    ]) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('"name"');
    }
    expect((await rawGet("/media/avatars/luna.svg")).status).toBe(200);
  });
});

describe("the expiry job runs in-process", () => {
  it("is scheduled on STORY_EXPIRY_CRON and soft-deletes an expired story when it runs", async () => {
    expect(t.server.runtime.runsJobs).toBe(true);
    const schedules = await t.server.runtime.jobs.boss.getSchedules("stories.expire");
    expect(schedules.map((s) => s.cron)).toEqual(["*/2 * * * *"]);
    const companion = await createCompanion(t.database.db, "Ephemeral");
    const story = await insertStory(t.database.db, companion, { createdAt: new Date(Date.now() - 25 * 3600_000), expiresAt: new Date(Date.now() - 1000) });
    await t.runJob("stories.expire");
    const [row] = await t.database.db.select({ deletedAt: stories.deletedAt }).from(stories).where(eq(stories.id, story.id));
    expect(row?.deletedAt).toBeInstanceOf(Date);
  });
});
