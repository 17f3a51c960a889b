/**
 * Every handler is idempotent: run twice with the same payload (as after a worker died between
 * the work and marking the job done), the second run changes nothing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChatChain, createOfflinePersona } from "@companion/ai";
import {
  aiCalls,
  companions,
  connectCompanion,
  conversationSummaries,
  EVENT_RETENTION_MS,
  events,
  getRelationship,
  insertUser,
  mediaUploads,
  memories,
  messages,
  passwordResetTokens,
  SECURITY_EVENT_RETENTION_MS,
  securityEvents,
  stories,
  storyMedia,
  withUser,
} from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { DEFAULT_JOB_SETTINGS, openJobQueue, type AiCallPayload, type JobData, type JobHandlers, type JobName, type JobQueue } from "@companion/jobs";
import { createConfiguredPushSender } from "@companion/push";
import { createLocalStorage } from "@companion/storage";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAiCallRecorder, createBackgroundTasks } from "../services/background.ts";
import { createMediaService } from "../services/media.ts";
import { createJobHandlers } from "./index.ts";

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
let t: TestDatabase;
let queue: JobQueue;
let handlers: JobHandlers;
let userId: string;
let companionId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  // A producer: the follow-up jobs handlers enqueue stay in the queue for the test to see.
  queue = await openJobQueue({ connection: t.connection, settings: DEFAULT_JOB_SETTINGS, log: quiet, role: "producer" });
  const tasks = createBackgroundTasks(quiet);
  const calls = createAiCallRecorder({ jobs: queue, tasks, log: quiet });
  handlers = createJobHandlers({
    db: t.db,
    queue,
    media: createMediaService({ storage: createLocalStorage({ dir: join(tmpdir(), `companion-jobs-${randomBytes(4).toString("hex")}`), signingKey: randomBytes(32) }) }),
    chat: { chain: createChatChain({ providers: [], offline: createOfflinePersona(), onCall: calls.onCall }), calls, sentiment: "lexicon" },
    push: createConfiguredPushSender({}, quiet),
    retention: { storyDeleteGraceMs: 3_600_000, eventRetentionMs: EVENT_RETENTION_MS },
    proactive: { minAwayHours: 24, maxAwayHours: 72, maxPerUserPerDay: 2, maxUnanswered: 2, sweepLimit: 5000 },
    log: quiet,
  });
  ({ id: userId } = await insertUser(t.db, { email: `jobs.${randomBytes(4).toString("hex")}@example.com`, passwordHash: "x", displayName: "Jo" }));
  const [companion] = await t.db.insert(companions).values({ slug: `jobs-${randomBytes(4).toString("hex")}`, name: "Jobby" }).returning({ id: companions.id });
  companionId = companion!.id;
  await withUser(t.db, userId, (tx) => connectCompanion(tx, { userId, companionId }));
});

afterAll(async () => {
  await queue?.stop({ graceMs: 0 });
  await t?.close();
});

async function runTwice<N extends JobName>(name: N, data: JobData<N>) {
  const handler = handlers[name] as (d: JobData<N>, c: { id: string; attempt: number; signal: AbortSignal }) => Promise<unknown>;
  const context = { id: randomUUID(), attempt: 1, signal: new AbortController().signal };
  const first = await handler(data, context);
  const second = await handler(data, { ...context, attempt: 2 });
  return { first, second };
}

const call = (over: Partial<AiCallPayload> = {}): AiCallPayload => ({
  id: randomUUID(),
  userId,
  provider: "openai",
  model: "gpt-4o-mini",
  purpose: "chat",
  outcome: "ok",
  promptTokens: 10,
  completionTokens: 5,
  latencyMs: 120,
  costUsd: 0.00001,
  at: new Date().toISOString(),
  ...over,
});

describe("chat.after-reply", () => {
  it("moves the relationship and records the calls once, however often it runs", async () => {
    const [message] = await t.db
      .insert(messages)
      .values({ userId, companionId, role: "user", content: "I love this, thank you, wonderful day", status: "complete" })
      .returning({ id: messages.id });
    const before = await withUser(t.db, userId, (tx) => getRelationship(tx, { userId, companionId }));
    const recorded = call();
    const { first, second } = await runTwice("chat.after-reply", { userId, companionId, messageId: message!.id, calls: [recorded] });
    expect(first).toMatchObject({ moved: 1 });
    expect(second).toMatchObject({ moved: 0 });

    const after = await withUser(t.db, userId, (tx) => getRelationship(tx, { userId, companionId }));
    expect(after).not.toEqual(before);
    const [row] = await t.db.select({ sentiment: messages.sentiment }).from(messages).where(eq(messages.id, message!.id));
    expect(row?.sentiment).toBeGreaterThan(0);
    expect(await t.db.select({ id: aiCalls.id }).from(aiCalls).where(eq(aiCalls.id, recorded.id))).toHaveLength(1);

    // A third run, later, still changes nothing.
    await handlers["chat.after-reply"]!({ userId, companionId, messageId: message!.id, calls: [recorded] }, { id: randomUUID(), attempt: 3, signal: new AbortController().signal });
    expect(await withUser(t.db, userId, (tx) => getRelationship(tx, { userId, companionId }))).toEqual(after);
  });

  it("a message deleted meanwhile: nothing to move, the calls are still recorded (without the user)", async () => {
    const recorded = call();
    const { first } = await runTwice("chat.after-reply", { userId, companionId, messageId: randomUUID(), calls: [recorded] });
    expect(first).toMatchObject({ moved: 0, gone: 1 });
    expect(await t.db.select({ userId: aiCalls.userId }).from(aiCalls).where(eq(aiCalls.id, recorded.id))).toEqual([{ userId: null }]);
  });
});

describe("ai-calls.record", () => {
  it("stores each call once", async () => {
    const calls = [call({ purpose: "summary" }), call({ purpose: "summary", outcome: "timeout" })];
    await runTwice("ai-calls.record", { calls });
    for (const c of calls) expect(await t.db.select({ id: aiCalls.id }).from(aiCalls).where(eq(aiCalls.id, c.id))).toHaveLength(1);
  });
});

describe("memory.extract", () => {
  it("writes a fact once: a second run finds it and changes nothing", async () => {
    const [message] = await t.db.insert(messages).values({ userId, companionId, role: "user", content: "oh and my name is Jun.", status: "complete" }).returning({ id: messages.id });
    await t.db.insert(messages).values({ userId, companionId, role: "assistant", content: "Nice to meet you, Jun.", status: "complete", replyToId: message!.id });
    const { first, second } = await runTwice("memory.extract", { userId, companionId, messageId: message!.id });
    expect(first).toMatchObject({ added: 1, updated: 0, offline: 1 });
    expect(second).toMatchObject({ added: 0, updated: 0 });
    const rows = await t.db.select({ content: memories.content, source: memories.source }).from(memories).where(eq(memories.userId, userId));
    expect(rows).toEqual([{ content: expect.stringContaining("Jun"), source: "auto" }]);
  });

  it("skips a message whose reply failed", async () => {
    const [message] = await t.db.insert(messages).values({ userId, companionId, role: "user", content: "my name is Lee.", status: "complete" }).returning({ id: messages.id });
    await t.db.insert(messages).values({ userId, companionId, role: "assistant", content: "", status: "failed", replyToId: message!.id });
    const { first } = await runTwice("memory.extract", { userId, companionId, messageId: message!.id });
    expect(first).toMatchObject({ added: 0, updated: 0, offline: 0 });
  });
});

describe("memory.summarize", () => {
  it("folds once: a second run finds nothing left to fold", async () => {
    const [other] = await t.db.insert(companions).values({ slug: `sum-${randomBytes(4).toString("hex")}`, name: "Summy" }).returning({ id: companions.id });
    await withUser(t.db, userId, (tx) => connectCompanion(tx, { userId, companionId: other!.id }));
    const start = Date.now() - 3_600_000;
    await t.db.insert(messages).values(
      Array.from({ length: 35 }, (_, i) => ({
        userId,
        companionId: other!.id,
        role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
        content: `Turn ${i} was about the garden.`,
        createdAt: new Date(start + i * 1000),
      })),
    );
    const { first, second } = await runTwice("memory.summarize", { userId, companionId: other!.id });
    expect(first).toMatchObject({ folded: 20, version: 1 });
    expect(second).toMatchObject({ folded: 0 });
    const rows = await t.db.select({ version: conversationSummaries.version }).from(conversationSummaries).where(eq(conversationSummaries.companionId, other!.id));
    expect(rows).toEqual([{ version: 1 }]);
  });
});

describe("stories.expire", () => {
  it("expires a story once and enqueues its media's purge once", async () => {
    const now = Date.now();
    const [story] = await t.db
      .insert(stories)
      .values({ authorCompanionId: companionId, createdAt: new Date(now - 25 * 3600_000), expiresAt: new Date(now - 1000) })
      .returning({ id: stories.id });
    const key = `companions/${randomUUID()}.png`;
    await t.db.insert(storyMedia).values({ storyId: story!.id, sortOrder: 0, kind: "image", mediaKey: key });
    const { first, second } = await runTwice("stories.expire", {});
    expect(first).toMatchObject({ softDeleted: 1, mediaQueued: 1 });
    expect(second).toMatchObject({ softDeleted: 0, mediaQueued: 0 });
    const purges = await queue.boss.findJobs("media.purge", { data: { keys: [key] } });
    expect(purges).toHaveLength(1);
  });
});

describe("media.purge", () => {
  it("deletes an unreferenced upload once; a second run finds nothing", async () => {
    const key = `u/${userId}/${randomUUID()}.png`;
    await t.db.insert(mediaUploads).values({ key, userId, contentType: "image/png", byteSize: 8 });
    const { first, second } = await runTwice("media.purge", { keys: [key] });
    expect(first).toMatchObject({ purged: 1 });
    expect(second).toMatchObject({ purged: 0 });
    expect(await t.db.select({ key: mediaUploads.key }).from(mediaUploads).where(eq(mediaUploads.key, key))).toEqual([]);
  });
});

describe("events.prune", () => {
  it("deletes events past the retention once", async () => {
    const payload = { storyId: userId, viewerId: userId };
    const [, recent] = await t.db
      .insert(events)
      .values([
        { userId, type: "story.viewed", payload, createdAt: new Date(Date.now() - EVENT_RETENTION_MS - 60_000) },
        { userId, type: "story.viewed", payload, createdAt: new Date() },
      ])
      .returning({ id: events.id });
    const { first, second } = await runTwice("events.prune", {});
    expect(first).toMatchObject({ eventsPruned: 1 });
    expect(second).toMatchObject({ eventsPruned: 0 });
    expect((await t.db.select({ id: events.id }).from(events).where(eq(events.userId, userId))).map((e) => e.id)).toEqual([recent?.id]);
  });

  it("deletes security events past a year and reset tokens a day past their expiry, once", async () => {
    const old = new Date(Date.now() - SECURITY_EVENT_RETENTION_MS - 60_000);
    const [, kept] = await t.db
      .insert(securityEvents)
      .values([
        { userId, kind: "login_failed", createdAt: old },
        { userId, kind: "login_failed", createdAt: new Date() },
      ])
      .returning({ id: securityEvents.id });
    const [, live] = await t.db
      .insert(passwordResetTokens)
      .values([
        { userId, tokenHash: `old-${userId}`, expiresAt: new Date(Date.now() - 2 * 86_400_000) },
        { userId, tokenHash: `live-${userId}`, expiresAt: new Date(Date.now() + 1_800_000) },
      ])
      .returning({ id: passwordResetTokens.id });
    const { first, second } = await runTwice("events.prune", {});
    expect(first).toMatchObject({ securityEventsPruned: 1, resetTokensPruned: 1 });
    expect(second).toMatchObject({ securityEventsPruned: 0, resetTokensPruned: 0 });
    expect((await t.db.select({ id: securityEvents.id }).from(securityEvents).where(eq(securityEvents.userId, userId))).map((e) => e.id)).toEqual([kept?.id]);
    expect((await t.db.select({ id: passwordResetTokens.id }).from(passwordResetTokens).where(eq(passwordResetTokens.userId, userId))).map((e) => e.id)).toEqual([live?.id]);
  });
});
