/**
 * Every queue the product has, with the payload its jobs carry (checked when a job is sent
 * and again when it runs: a payload that does not parse is a permanent failure). Handlers
 * live in apps/worker/src/handlers; request code enqueues through `JobQueue.enqueue`.
 * Payloads carry ids, never message text or secrets: jobs are rows anyone with database
 * access can read, and `pnpm admin jobs:list` prints them.
 */
import { z } from "zod";

const uuid = z.uuid();
const isoDate = z.iso.datetime({ offset: true });
const isoWeek = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/);

const aiCall = z.object({
  /** The record's own id: a job run twice inserts it once. */
  id: uuid,
  userId: uuid.nullable(),
  provider: z.string().min(1).max(100),
  model: z.string().min(1).max(200),
  purpose: z.enum(["chat", "sentiment", "summary", "embedding", "memory", "proactive", "digest", "story"]),
  outcome: z.enum(["ok", "timeout", "rate_limited", "server_error", "bad_request", "aborted", "circuit_open", "error"]),
  promptTokens: z.number().nonnegative(),
  completionTokens: z.number().nonnegative(),
  latencyMs: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  at: isoDate,
});
export type AiCallPayload = z.infer<typeof aiCall>;

export const jobPayloads = {
  /** Cron: soft-deletes expired stories, hard-deletes those past the grace, enqueues their media's purge. */
  "stories.expire": z.object({}),
  /**
   * Cron: each system companion whose story plan has a post due (docs/stories.md#schedule) gets a
   * `stories.companion-publish` job. `at` simulates the clock (tests, the admin CLI); cron sends `{}`.
   */
  "stories.companion-post": z.object({ at: isoDate.optional() }),
  /** Writes, renders and posts one story of a system companion as of `at`, if the plan still says it is due. */
  "stories.companion-publish": z.object({ companionId: uuid, at: isoDate }),
  /** Cron: deletes realtime events past their retention. */
  "events.prune": z.object({}),
  /** Cron: forgets redeemed stream tickets once their signature has expired, and session revocations once their access tokens have. */
  "stream-tickets.prune": z.object({}),
  /** Deletes stored media objects no live story or upload uses any more. */
  "media.purge": z.object({ keys: z.array(z.string().min(1).max(512)).min(1).max(1000) }),
  /**
   * After a reply is saved (enqueued in the same transaction): the relationship and mood update from
   * the user's message, the exchange's model calls into ai_calls, the last use of the memories the
   * prompt kept (`memoryIds`), and the memory jobs below enqueued.
   */
  "chat.after-reply": z.object({
    userId: uuid,
    companionId: uuid,
    messageId: uuid,
    calls: z.array(aiCall).max(50),
    memoryIds: z.array(uuid).max(100).optional(),
  }),
  /**
   * Search embeddings of these memories or messages (docs/search.md): enqueued only when hybrid
   * search is on; embeds what the rows say now, so a rerun or a later edit overwrites.
   */
  "search.embed": z.object({ kind: z.enum(["memory", "message"]), ids: z.array(uuid).min(1).max(100) }),
  /** What the person's message says about them, into auto memories (docs/memory.md, "Automatic memory"). */
  "memory.extract": z.object({ userId: uuid, companionId: uuid, messageId: uuid }),
  /** Folds a conversation's oldest turns into a new version of its rolling summary (docs/memory.md). */
  "memory.summarize": z.object({ userId: uuid, companionId: uuid }),
  /** Model calls made outside a chat exchange, into ai_calls. */
  "ai-calls.record": z.object({ calls: z.array(aiCall).min(1).max(500) }),
  /** Someone followed `followeeId`. */
  "notifications.follow": z.object({ followerId: uuid, followeeId: uuid }),
  /** Someone reacted to a story: one notification per story and hour, counting the reactors. */
  "notifications.story-reaction": z.object({ storyId: uuid, reactorId: uuid }),
  /** A companion posted a story: its connected users hear of it. */
  "notifications.companion-story": z.object({ storyId: uuid, companionId: uuid }),
  /**
   * Delivers a stored notification: without `deviceId`, fans out one job per registered device
   * of its recipient (each retried on its own); with it, sends to that device.
   */
  "notifications.push": z.object({ notificationId: uuid, deviceId: uuid.optional() }),
  /**
   * Cron: finds people away long enough from a companion (docs/proactive.md) and enqueues a
   * `proactive.send` per pair. `at` replaces "now" (tests, an operator); cron sends `{}`.
   */
  "proactive.sweep": z.object({ at: isoDate.optional() }),
  /** The companion writes first, if every guardrail still allows it at `at` (default: now). */
  "proactive.send": z.object({ userId: uuid, companionId: uuid, at: isoDate.optional() }),
  /** Cron: enqueues a `digests.build` per pair that talked in `week` (default: the previous ISO week). */
  "digests.sweep": z.object({ week: isoWeek.optional(), after: z.object({ userId: uuid, companionId: uuid }).optional() }),
  /** Builds one weekly digest and tells its person; once per (user, companion, week). */
  "digests.build": z.object({ userId: uuid, companionId: uuid, week: isoWeek }),
  /**
   * After auth.deleteAccount (enqueued in its transaction): deletes the stored objects of the deleted
   * account (uploads, companion cards, export archives); their rows are already gone with it.
   */
  "account.purge-files": z.object({ keys: z.array(z.string().min(1).max(512)).min(1).max(1000) }),
  /** Builds a data export archive (auth.exportData), stores it and tells its person (docs/account.md#export). */
  "exports.build": z.object({ exportId: uuid }),
  /** Cron: deletes data export archives (and their rows) past their expiry (docs/account.md#export). */
  "exports.prune": z.object({}),
} as const satisfies Record<string, z.ZodType<object>>;

export type JobName = keyof typeof jobPayloads;
export type JobData<N extends JobName> = z.infer<(typeof jobPayloads)[N]>;
export const jobNames = Object.keys(jobPayloads) as JobName[];

/** Where jobs go after their last attempt (or at once, on a permanent error). */
export const DEAD_LETTER_QUEUE = "dead-letter";

/** Recurring jobs: cron expressions come from the settings (env). */
export type ScheduledJob =
  | "stories.expire"
  | "events.prune"
  | "stream-tickets.prune"
  | "stories.companion-post"
  | "proactive.sweep"
  | "digests.sweep"
  | "exports.prune";
