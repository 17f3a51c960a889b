/**
 * GET /metrics over real HTTP: refused without the token (absent without one configured),
 * served without one on METRICS_PORT, valid Prometheus text whose counters move with what
 * people do through packages/client, and route labels that no URL can multiply.
 * Counters are compared by their delta: the registry is the process's.
 */
import { stories } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion as createChatCompanion, newKey, streamToEnd } from "./chat-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { labelValues, scrape, valueOf, type Sample } from "@companion/metrics/testing";
import { recordEvents, settle } from "./realtime-client.ts";
import { postStory, startSocialServer } from "./social-fixtures.ts";
import { createCompanion, insertStory, signUp } from "./story-fixtures.ts";

const TOKEN = "metrics-test-token-0123456789";
let t: TestServer;

beforeAll(async () => {
  t = await startSocialServer({ METRICS_TOKEN: TOKEN, METRICS_PORT: "0", JOBS_IN_PROCESS: "true" });
});
afterAll(async () => {
  await t?.stop();
});

const metrics = () => scrape(`${t.url}/metrics`, TOKEN);

/** Scrapes, runs `action`, scrapes again; `delta(name, labels)` is how much the value moved. */
async function across(action: () => Promise<unknown>) {
  const before = await metrics();
  await action();
  const after = await metrics();
  return { after, delta: (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels) };
}

describe("GET /metrics on the main port", () => {
  it("answers only with the bearer token", async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    const samples = await metrics();
    // Process and event-loop metrics come with prom-client's defaults.
    expect(valueOf(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === "nodejs_eventloop_lag_p99_seconds")).toBe(true);
  });

  it("does not exist without METRICS_TOKEN: a 404 like any unknown path", async () => {
    const bare = await startTestServer();
    try {
      const res = await fetch(`${bare.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
      expect(bare.server.metricsUrl).toBeNull();
    } finally {
      await bare.stop();
    }
  });

  it("is served without a token on METRICS_PORT, and only /metrics is", async () => {
    const url = t.server.metricsUrl;
    if (!url) throw new Error("METRICS_PORT listener missing");
    expect(new URL(url).port).not.toBe(new URL(t.url).port);
    const samples = await scrape(url);
    expect(valueOf(samples, "http_requests_total")).toBeGreaterThan(0);
    expect((await fetch(new URL("/healthz", url))).status).toBe(404);
    expect((await fetch(url, { method: "POST" })).status).toBe(405);
  });
});

describe("counters move with what people do", () => {
  it("register, post a story, view it, react: requests by procedure and the business counters", async () => {
    let alice!: Awaited<ReturnType<typeof signUp>>;
    const signUpRun = await across(async () => {
      alice = await signUp(t, "Alice");
    });
    expect(signUpRun.delta("http_requests_total", { route: "auth.register", method: "POST", code: "200" })).toBe(1);
    expect(signUpRun.delta("http_request_duration_seconds_count", { route: "auth.register" })).toBe(1);

    const bob = await signUp(t, "Bob");
    await bob.api.social.follow.mutate({ userId: alice.id });
    let storyId = "";
    const posted = await across(async () => {
      storyId = (await postStory(t, alice, { visibility: "public" })).id;
    });
    expect(posted.delta("stories_created_total")).toBe(1);
    expect(posted.delta("http_requests_total", { route: "stories.create", code: "200" })).toBe(1);
    expect(posted.delta("http_requests_total", { route: "/uploads", method: "PUT", code: "200" })).toBe(1);

    const story = await bob.api.stories.byId.query({ storyId });
    const mediaId = story.slides[0]!.id;
    const acted = await across(async () => {
      await bob.api.stories.markViewed.mutate({ storyId });
      await bob.api.stories.react.mutate({ mediaId, emoji: "🔥" });
    });
    expect(acted.delta("story_views_total")).toBe(1);
    expect(acted.delta("reactions_total")).toBe(1);
    // Every user-scoped call ran in withUser: its transactions are timed.
    expect(acted.delta("db_transaction_duration_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(valueOf(acted.after, "db_transactions_in_flight")).toBe(0);
    expect(valueOf(acted.after, "db_pool_size", { kind: t.database.kind })).toBeGreaterThanOrEqual(1);

    // A failed call counts its request, not the business event.
    const refused = await across(() => bob.api.stories.markViewed.mutate({ storyId: crypto.randomUUID() }).catch(() => null));
    expect(refused.delta("story_views_total")).toBe(0);
    expect(refused.delta("http_requests_total", { route: "stories.markViewed", code: "404" })).toBe(1);
  });

  it("counts each procedure of a batch", async () => {
    const user = await signUp(t, "Batcher");
    const run = await across(() => Promise.all([user.api.auth.me.query(), user.api.stories.feed.query({}), user.api.stories.feed.query({})]));
    expect(run.delta("http_requests_total", { route: "auth.me", method: "GET" })).toBe(1);
    expect(run.delta("http_requests_total", { route: "stories.feed", method: "GET" })).toBe(2);
  });

  it("a chat exchange through the offline persona: the model call, its time to first token, no cost", async () => {
    const user = await signUp(t, "Chatter");
    const { id: companionId } = await createChatCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId });
    const offline = { provider: "offline", purpose: "chat" };
    const run = await across(async () => {
      await streamToEnd(user.api, { companionId, content: "I planted tomatoes today", idempotencyKey: newKey() });
      await t.settle();
    });
    expect(run.delta("ai_calls_total", { ...offline, outcome: "ok" })).toBe(1);
    expect(run.delta("ai_call_duration_seconds_count", offline)).toBe(1);
    expect(run.delta("ai_time_to_first_token_seconds_count", { provider: "offline" })).toBe(1);
    expect(run.delta("ai_cost_usd_total")).toBe(0);
    // Offline-only: no network provider, so nothing falls back and no breaker exists.
    expect(run.delta("ai_fallbacks_total")).toBe(0);
    expect(run.after.some((s) => s.name === "ai_circuit_breaker_state")).toBe(false);
    expect(run.delta("http_requests_total", { route: "messages.stream", method: "GET", code: "200" })).toBe(1);
  });

  it("a subscription: open while it lasts, its events delivered, closed after", async () => {
    const author = await signUp(t, "Author");
    const viewer = await signUp(t, "Viewer");
    await viewer.api.social.follow.mutate({ userId: author.id });
    const { id: storyId } = await postStory(t, author, { visibility: "public" });
    const before = await metrics();
    const sub = recordEvents(author.api);
    await sub.started;
    const open = await metrics();
    expect(valueOf(open, "realtime_subscriptions_open") - valueOf(before, "realtime_subscriptions_open")).toBe(1);
    expect(valueOf(open, "trpc_subscriptions_open", { route: "events.subscribe" })).toBe(valueOf(before, "trpc_subscriptions_open", { route: "events.subscribe" }) + 1);

    await viewer.api.stories.markViewed.mutate({ storyId });
    await sub.waitFor(1);
    sub.unsubscribe();
    const stream = { route: "events.subscribe" };
    const delta = (s: Sample[], name: string, labels: Record<string, string> = {}) => valueOf(s, name, labels) - valueOf(before, name, labels);
    const closed = await settle(metrics, (s) => delta(s, "trpc_subscriptions_open", stream) === 0 && delta(s, "realtime_subscriptions_open") === 0);
    expect(delta(closed, "realtime_events_delivered_total")).toBe(1);
    expect(delta(closed, "realtime_subscriptions_open")).toBe(0);
    expect(delta(closed, "trpc_subscriptions_open", stream)).toBe(0);
    expect(delta(closed, "http_requests_total", { ...stream, method: "GET", code: "200" })).toBe(1);
  });

  it("the expiry job: stories_expired_total, the job's runs, wait and the queue depth", async () => {
    await t.settle(); // whatever was due before this test
    const companionId = await createCompanion(t.database.db, "Expiring");
    const { id } = await insertStory(t.database.db, companionId, { createdAt: new Date(Date.now() - 25 * 3600_000), expiresAt: new Date(Date.now() - 1000) });
    const run = await across(async () => {
      await t.runJob("stories.expire");
      await t.server.runtime.jobs.refreshDepth();
    });
    const [row] = await t.database.db.select({ deletedAt: stories.deletedAt }).from(stories).where(eq(stories.id, id));
    expect(row?.deletedAt).toBeInstanceOf(Date);
    expect(run.delta("stories_expired_total")).toBe(1);
    expect(run.delta("jobs_enqueued_total", { task: "stories.expire" })).toBe(1);
    expect(run.delta("jobs_runs_total", { task: "stories.expire", outcome: "ok" })).toBe(1);
    expect(run.delta("jobs_duration_seconds_count", { task: "stories.expire" })).toBe(1);
    expect(run.delta("jobs_wait_seconds_count", { task: "stories.expire" })).toBe(1);
    expect(valueOf(run.after, "jobs_last_success_timestamp_seconds", { task: "stories.expire" })).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(valueOf(run.after, "jobs_queue_depth", { task: "stories.expire", state: "ready" })).toBe(0);
  });
});

describe("route labels are bounded", () => {
  it("an unknown URL, procedure or oversized batch adds no label value but `other`", async () => {
    await fetch(`${t.url}/healthz`); // known fixed routes exist before
    const before = labelValues(await metrics(), "http_requests_total", "route");
    const probes = [
      "/nope/123",
      `/users/${crypto.randomUUID()}?token=secret`,
      "/trpc/does.not.exist",
      "/trpc/stories.feed,made.up?batch=1&input={}",
      `/trpc/${Array.from({ length: 50 }, () => "auth.me").join(",")}?batch=1`,
      "/media/../../etc/passwd",
      "/healthz?x=1",
    ];
    for (const path of probes) await fetch(`${t.url}${path}`);
    const after = labelValues(await metrics(), "http_requests_total", "route");
    const added = [...after].filter((route) => !before.has(route));
    expect(added.every((route) => route === "other" || route === "stories.feed" || route === "/media"), added.join(", ")).toBe(true);
    for (const route of after) expect(route).toMatch(/^(other|\/(healthz|readyz|metrics|media|uploads)|[a-zA-Z]+\.[a-zA-Z]+)$/);
  });
});
