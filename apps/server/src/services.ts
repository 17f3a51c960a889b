import { createChatChainFromConfig, createEmbedderFromConfig, createModeration, hasNetworkProvider } from "@companion/ai";
import {
  createAccountService,
  createOutboxMailer,
  createSmtpMailer,
  createAiCallRecorder,
  createBackgroundTasks,
  CHAT_RELAY_CHANNEL,
  createChatSafety,
  createChatService,
  createSearchService,
  createJobHandlers,
  createStoryDraftService,
  startEventHub,
  startProcessLease,
  type AppServices,
  type EventHub,
  type ProcessLease,
} from "@companion/api";
import { createAccessTokenService, createAuthService, createLoginThrottle, startSessionRevocations, type SessionRevocations } from "@companion/auth";
import { openConfiguredDatabase, quotaLimitsFromEnv, seedDemoContent, type DatabaseHandle } from "@companion/db";
import { jobSettingsFromEnv, openJobQueue, proactiveSettingsFromEnv, type JobQueue } from "@companion/jobs";
import { createConfiguredPushSender } from "@companion/push";
import { trackBreakers } from "@companion/metrics";
import type { LocalMediaStorage, S3MediaStorage } from "@companion/storage";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Env } from "./env.ts";
import { createServerMedia, createServerRateLimits } from "./limits-and-media.ts";
import { loadSecrets } from "./secrets.ts";

export interface Runtime {
  services: AppServices;
  database: DatabaseHandle;
  /** Local media storage, whose upload and read routes the HTTP layer serves; null on S3. */
  localMedia: LocalMediaStorage | null;
  /** The S3 bucket when media lives there (readiness probes it); null on local storage. */
  s3Media: S3MediaStorage | null;
  /** The job queue; `runsJobs`: this process also runs the jobs (JOBS_IN_PROCESS, docs/jobs.md). */
  jobs: JobQueue;
  runsJobs: boolean;
  /** Shutdown begins: subscriptions end cleanly (AppServices.closing), chat replies keep writing. */
  beginShutdown(): void;
  close(): Promise<void>;
}

/**
 * Builds the long-lived services: database (migrated, and seeded with demo content on
 * the embedded default), auth. `database` may be passed in by tests.
 */
export async function createRuntime(env: Env, log: Logger, database?: DatabaseHandle, options: { prepared?: boolean } = {}): Promise<Runtime> {
  const db = database ?? (await openConfiguredDatabase(env));
  log.info({ database: db.kind, ...(db.kind === "pglite" ? { dataDir: env.dataDir } : { pooler: env.DB_POOLER }) }, "database opened");
  let eventHub: EventHub;
  let revocations: SessionRevocations;
  let lease: ProcessLease;
  let jobs: JobQueue;
  /** What was started before a failure, to close again. */
  const started: (() => Promise<unknown>)[] = [];
  // The embedded default has no separate worker process (and PGlite allows one opener), so the
  // server runs the jobs itself; with Postgres, apps/worker does, unless JOBS_IN_PROCESS=true.
  const runsJobs = env.JOBS_IN_PROCESS ?? (db.kind === "pglite" && !database);
  try {
    if (!options.prepared) await db.migrate();
    // After migrations: the hub's LISTEN connection is this process's realtime fan-out.
    eventHub = await startEventHub({ listen: db.listen, onError: (err) => log.error({ err }, "realtime event hub") });
    started.push(() => eventHub.close());
    // Revoked sessions, refused on every request of this process (docs/auth.md#revocation).
    revocations = await startSessionRevocations({ db: db.db, listen: db.listen, onError: (err) => log.error({ err }, "session revocations") });
    started.push(() => revocations.close());
    // Recorded on the exchanges this process answers: once it lapses, retries take them over.
    lease = await startProcessLease({ db: db.db, onError: (err) => log.warn({ err }, "process lease renewal failed") });
    started.push(() => lease.release());
    jobs = await openJobQueue({ connection: db.connection, settings: jobSettingsFromEnv(env), log: log.child({ component: "jobs" }), role: runsJobs ? "worker" : "producer" });
    const opened = jobs;
    started.push(() => opened.stop({ graceMs: 0 }));
    const seed = !options.prepared && (env.SEED_DEMO ?? (db.kind === "pglite" && !database));
    if (seed) {
      // After the queue opens: connected users hear of a demo story posted again (docs/notifications.md).
      const seeded = await seedDemoContent(db.db, {
        onStoryPublished: (tx, story) => opened.enqueue(tx, "notifications.companion-story", story).then(() => undefined),
      });
      if (seeded.companions > 0 || seeded.stories > 0) log.info(seeded, "seeded demo content");
    }
  } catch (err) {
    for (const close of started.reverse()) await close().catch(() => undefined);
    await db.close();
    throw err;
  }

  const secrets = loadSecrets(env);
  if (secrets.generatedKeyPath) {
    log.warn({ path: secrets.generatedKeyPath }, "using a generated development JWT key; set JWT_SECRET in production");
  }
  const rateLimits = await createServerRateLimits(env, log);
  const auth = createAuthService({
    db: db.db,
    tokens: createAccessTokenService({ keys: secrets.jwtKeys, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE }),
    refreshPepper: secrets.refreshPepper,
    refreshGraceMs: env.REFRESH_GRACE_MS,
    // The LOGIN_* limits live in rateLimits, shared through Redis when it is configured.
    throttle: createLoginThrottle({
      limiters: {
        accountIp: rateLimits.limiter("loginAccountIp"),
        account: rateLimits.limiter("loginAccount"),
        ip: rateLimits.limiter("loginIp"),
        device: rateLimits.limiter("loginDevice"),
      },
    }),
    revocations,
  });
  const media = await createServerMedia(env, secrets.mediaSigningKey, log);

  const chat = createChat(env, db, jobs, lease.id, log);
  const untrackBreakers = trackBreakers(chat.chain);
  const search = await createSearchService({ db: db.db, embedder: createEmbedderFromConfig(env.ai, { onCall: chat.calls.onCall }), log });
  if (search.embedder) log.info({ model: search.embedder.model }, "search: hybrid (full-text and embeddings)");
  if (runsJobs) {
    await jobs.work(
      createJobHandlers({
        db: db.db,
        queue: jobs,
        media: media.service,
        chat: { chain: chat.chain, calls: chat.calls, sentiment: chat.sentiment, quotas: quotaLimitsFromEnv(env) },
        search: { embedder: search.embedder },
        push: createConfiguredPushSender(env, log.child({ component: "push" })),
        retention: { storyDeleteGraceMs: env.STORY_DELETE_GRACE_MS, eventRetentionMs: env.EVENT_RETENTION_MS },
        proactive: proactiveSettingsFromEnv(env),
        log: log.child({ component: "jobs" }),
      }),
    );
    log.info("jobs run in this process");
    // A fresh database gets companions' stories now, not at the first cron tick (docs/stories.md#schedule).
    if (env.COMPANION_STORY_CRON !== "off") await jobs.send("stories.companion-post", {});
  }
  const mailer = env.SMTP_URL ? createSmtpMailer({ url: env.SMTP_URL, from: env.MAIL_FROM }) : createOutboxMailer({ db: db.db, log: log.child({ component: "mail" }) });
  if (mailer.kind === "smtp") log.info({ mailer: mailer.kind }, "mail: SMTP");
  else if (env.NODE_ENV === "production") log.warn({ mailer: mailer.kind }, "mail: SMTP_URL is unset, password reset mail only reaches the development outbox");
  else log.info({ mailer: mailer.kind }, "mail: development outbox (set SMTP_URL to send mail)");
  const account = createAccountService({
    db: db.db,
    jobs,
    media: media.service,
    mailer,
    passwordResetUrl: env.PASSWORD_RESET_URL,
    log: log.child({ component: "account" }),
  });
  const closing = new AbortController();
  return {
    services: {
      db: db.db,
      dbKind: db.kind,
      auth,
      eventHub,
      chat: chat.service,
      search,
      jobs,
      rateLimits,
      media: media.service,
      storyDrafts: createStoryDraftService({ db: db.db, chain: chat.chain, media: media.service, jobs, dailyQuota: env.STORY_DRAFT_DAILY_QUOTA }),
      webPushPublicKey: env.WEB_PUSH_VAPID_PUBLIC_KEY ?? null,
      companionDailyQuota: env.COMPANION_DAILY_QUOTA,
      quotas: quotaLimitsFromEnv(env),
      account,
      closing: closing.signal,
    },
    jobs,
    runsJobs,
    database: db,
    localMedia: media.local,
    s3Media: media.s3,
    beginShutdown: () => closing.abort(),
    close: async () => {
      closing.abort();
      untrackBreakers();
      await eventHub.close();
      await revocations.close();
      // Replies still being written are saved (their after-reply jobs enqueued with them), then
      // the jobs running here finish (up to their timeout) before the database closes.
      await chat.service.drain();
      await jobs.stop().catch((err: unknown) => log.warn({ err }, "job queue stop failed"));
      await lease.release().catch((err: unknown) => log.warn({ err }, "process lease release failed"));
      await db.close();
      await rateLimits.close();
      mailer.close();
    },
  };
}


/**
 * The one fallback chain of this process (its circuit breakers must see every request,
 * and the metrics report them), recording each model call into ai_calls and the metrics,
 * and the chat service over it.
 */
function createChat(env: Env, database: DatabaseHandle, jobs: JobQueue, owner: string, log: Logger) {
  const { db } = database;
  const tasks = createBackgroundTasks(log);
  const calls = createAiCallRecorder({ jobs, tasks, log });
  const chain = createChatChainFromConfig(env.ai, { onCall: calls.onCall });
  const networked = hasNetworkProvider(env.ai);
  log.info(
    networked
      ? { model: env.ai.openai.model, openai: env.ai.openai.apiKey !== undefined, fallbacks: env.ai.fallbackProviders.map((p) => p.name) }
      : {},
    networked ? "AI providers configured" : "no AI provider configured: companions answer with the offline persona",
  );
  // The moderation endpoint is OpenAI's (or a compatible server's at OPENAI_BASE_URL); fallback providers have none.
  const moderate =
    env.ai.openai.apiKey !== undefined && env.SAFETY_MODERATION_MODEL !== "off"
      ? createModeration({ apiKey: env.ai.openai.apiKey, baseURL: env.ai.openai.baseURL, model: env.SAFETY_MODERATION_MODEL, timeoutMs: env.SAFETY_MODERATION_TIMEOUT_MS })
      : undefined;
  log.info({ moderation: moderate ? env.SAFETY_MODERATION_MODEL : "off", policy: env.SAFETY_POLICY }, "safety check on (docs/safety.md)");
  const service = createChatService({
    db,
    jobs,
    owner,
    chain,
    calls,
    tasks,
    log,
    safety: createChatSafety({ db, policy: env.SAFETY_POLICY, moderate, log }),
    budget: { contextTokens: env.AI_CONTEXT_TOKENS, replyTokens: env.AI_REPLY_TOKENS },
    // Past a person's daily limit the offline persona answers, without a model call (docs/quotas.md).
    quotas: quotaLimitsFromEnv(env),
    // Past the whole chain's deadline plus a long streamed reply, a reply is not coming.
    staleAfterMs: env.ai.deadlineMs + 60_000,
    replyDeadlineMs: env.ai.deadlineMs,
    // A reply streams to a subscriber that reached another process (cluster workers, several servers).
    relayBus: {
      publish: async (payload) => void (await db.execute(sql`select pg_notify(${CHAT_RELAY_CHANNEL}, ${payload})`)),
      listen: (onPayload) => database.listen(CHAT_RELAY_CHANNEL, onPayload),
    },
  });
  return { chain, calls, sentiment: networked ? ("model" as const) : ("lexicon" as const), service };
}
