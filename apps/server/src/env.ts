/**
 * Server configuration: the only place that reads process.env. Everything is optional;
 * with nothing set the server runs on embedded PGlite under `.data/` with a generated
 * development JWT key. In production a missing JWT secret refuses to start.
 */
import { parseAiEnv, parseSafetyPolicy, type AiConfig } from "@companion/ai";
import { COMPANION_DAILY_QUOTA, dbEnvIssues, dbEnvShape, quotaEnvShape, resolveDataDir } from "@companion/db";
import { pushEnvIssues, pushEnvShape } from "@companion/push";
import { storageEnvIssues, storageEnvShape } from "@companion/storage";
import { jobsEnvShape } from "@companion/jobs";
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const list = z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    HOST: z.string().default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Server processes behind the port (node:cluster, see cluster.ts); > 1 needs DATABASE_URL. */
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),

    ...dbEnvShape,
    SEED_DEMO: bool.optional(),
    /**
     * Run the jobs in this process (docs/jobs.md). Default: yes on the embedded database (one
     * process may open it), no with DATABASE_URL, where apps/worker runs them.
     */
    JOBS_IN_PROCESS: bool.optional(),
    ...jobsEnvShape,

    JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
    /** Rotation: `kid:base64secret,kid2:base64secret`; the first signs, all verify. */
    JWT_KEYS: z.string().optional(),
    JWT_ISSUER: z.string().default("companion"),
    JWT_AUDIENCE: z.string().default("companion-app"),
    REFRESH_GRACE_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),

    CORS_ORIGINS: list.default([]),
    /** Number of trusted reverse proxies in front of the server; 0 ignores X-Forwarded-For. */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    /** companions.importCard alone: an 8 MiB card PNG in base64 plus its JSON frame (docs/character-cards.md). */
    MAX_CARD_BODY_BYTES: z.coerce.number().int().min(1024).default(12 * 1_048_576),
    MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(20),
    /**
     * A single query or mutation is answered by trpc-single-call.ts, in tRPC's exact HTTP format
     * without the standard adapter's fetch objects; false sends every call to the standard adapter.
     */
    TRPC_FAST_PATH: bool.default(true),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
    /**
     * An SSE stream silent this long gets a ping (sse-keepalive.ts), within 1.5× of it: well
     * inside REQUEST_TIMEOUT_MS and the client's 30 s inactivity reconnect (packages/api trpc.ts).
     */
    SSE_KEEPALIVE_MS: z.coerce.number().int().min(20).max(15_000).default(10_000),

    /**
     * GET /metrics on PORT answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is
     * a 404. METRICS_PORT serves it without a token on METRICS_HOST (docs/metrics.md).
     */
    METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    METRICS_HOST: z.string().default("127.0.0.1"),

    // docs/auth.md#throttling: strict per (account, IP); a cap per IP and a much higher one per
    // account across IPs; a device that signed in before is held to its per-device limit only.
    LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: z.coerce.number().int().min(1).default(5),
    LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(100),
    LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(30),
    LOGIN_MAX_FAILURES_PER_DEVICE: z.coerce.number().int().min(1).default(10),
    LOGIN_FAILURE_WINDOW_SEC: z.coerce.number().int().min(1).default(900),

    /** Shares rate limits between server processes; unset keeps them in memory per process. */
    REDIS_URL: z.url().optional(),
    /** Namespace of our Redis keys (one per deployment sharing a Redis). */
    REDIS_KEY_PREFIX: z.string().min(1).default("companion:rl"),
    RATE_STORY_CREATE_PER_MIN: z.coerce.number().int().min(1).default(20),
    RATE_REACTION_PER_MIN: z.coerce.number().int().min(1).default(60),
    RATE_CHAT_PER_MIN: z.coerce.number().int().min(1).default(30),
    RATE_REPORT_PER_HOUR: z.coerce.number().int().min(1).default(20),
    RATE_UPLOAD_PER_MIN: z.coerce.number().int().min(1).default(30),
    /** Story drafts a person may ask their companions for per UTC day (docs/stories.md#drafts). */
    STORY_DRAFT_DAILY_QUOTA: z.coerce.number().int().min(1).max(1000).default(10),
    /** Companions a person may create per UTC day (docs/companions.md#quota). */
    COMPANION_DAILY_QUOTA: z.coerce.number().int().min(1).max(1000).default(COMPANION_DAILY_QUOTA),
    /**
     * QUOTA_MESSAGES_PER_DAY (default 500) and QUOTA_TOKENS_PER_DAY (default 200000): per person and
     * day in their time zone, 0 for unlimited; past either, the offline persona answers (docs/quotas.md).
     */
    ...quotaEnvShape,

    /** MEDIA_DIR (relative to the repository root) or S3_*: see packages/storage/src/env.ts. */
    ...storageEnvShape,
    /** Web Push (VAPID) for notifications; unset: pushes are only logged (docs/notifications.md). */
    ...pushEnvShape,
    UPLOAD_URL_TTL_SEC: z.coerce.number().int().min(30).max(3600).default(600),
    /**
     * Lifetime of signed read URLs of stories that are not public (and of upload previews); on S3 the only
     * bound, local storage also revokes them with the story (docs/media.md#read-urls).
     */
    MEDIA_URL_TTL_SEC: z.coerce.number().int().min(5).max(3600).default(300),

    /**
     * Mail (docs/account.md#mail): SMTP through nodemailer when SMTP_URL is set (`smtp://user:pass@host:587`,
     * `smtps://…`); unset, the development outbox (the mail_outbox table, `pnpm admin mail:outbox`).
     */
    SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, "expected smtp://… or smtps://…").optional(),
    MAIL_FROM: z.string().min(3).default("Companion <no-reply@localhost>"),
    /** The page that sets a new password; the mailed link adds `?token=…`. */
    PASSWORD_RESET_URL: z.url().default("http://localhost:3001/reset-password"),

    /** Prompt plus reply, in tokens: keep it within the configured model's context window. */
    AI_CONTEXT_TOKENS: z.coerce.number().int().min(512).max(1_000_000).default(4096),
    /** Reply length cap (max_tokens), kept free inside AI_CONTEXT_TOKENS. */
    AI_REPLY_TOKENS: z.coerce.number().int().min(16).max(32_000).default(400),
    // The safety check (docs/safety.md): the moderation model ("off": offline classifier only), its
    // timeout before the offline fallback, and what happens per category ("hate=refuse,sexual=allow").
    SAFETY_MODERATION_MODEL: z.string().min(1).default("omni-moderation-latest"),
    SAFETY_MODERATION_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(800),
    SAFETY_POLICY: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        try {
          return parseSafetyPolicy(raw);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
          return z.NEVER;
        }
      }),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.JWT_SECRET && !env.JWT_KEYS) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "JWT_SECRET (or JWT_KEYS) is required in production" });
    }
    if (env.WEB_CONCURRENCY > 1 && !env.DATABASE_URL) {
      ctx.addIssue({ code: "custom", path: ["WEB_CONCURRENCY"], message: "more than one server process needs DATABASE_URL (the embedded database allows one process)" });
    }
    if (env.WEB_CONCURRENCY > 1 && env.JOBS_IN_PROCESS) {
      ctx.addIssue({ code: "custom", path: ["JOBS_IN_PROCESS"], message: "with WEB_CONCURRENCY > 1 run the jobs in apps/worker, not in every server process" });
    }
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: "must differ from PORT (it serves metrics without a token)" });
    }
    if (env.SSE_KEEPALIVE_MS * 1.5 >= env.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: "custom", path: ["SSE_KEEPALIVE_MS"], message: "must be under two thirds of REQUEST_TIMEOUT_MS, or idle SSE streams time out between pings" });
    }
    for (const issue of dbEnvIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    for (const issue of storageEnvIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    for (const issue of pushEnvIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    if (env.AI_CONTEXT_TOKENS - env.AI_REPLY_TOKENS < 256) {
      ctx.addIssue({ code: "custom", path: ["AI_CONTEXT_TOKENS"], message: "must leave at least 256 tokens for the prompt after AI_REPLY_TOKENS" });
    }
  });

/** `ai`: providers, budgets and breakers for @companion/ai, from the same variables (parseAiEnv). */
export type Env = z.infer<typeof envSchema> & { dataDir: string; ai: AiConfig };

// parseAiEnv reports paths of its config object; name the variables instead.
const AI_ENV_NAMES: Record<string, string> = {
  "openai.apiKey": "OPENAI_API_KEY",
  "openai.baseURL": "OPENAI_BASE_URL",
  "openai.model": "OPENAI_MODEL",
  timeoutMs: "AI_TIMEOUT_MS",
  maxRetries: "AI_MAX_RETRIES",
  deadlineMs: "AI_DEADLINE_MS",
  fallbackProviders: "AI_FALLBACK_PROVIDERS",
  "breaker.failureThreshold": "AI_BREAKER_FAILURES",
  "breaker.cooldownMs": "AI_BREAKER_COOLDOWN_MS",
  offlineTokenDelayMs: "AI_OFFLINE_TOKEN_DELAY_MS",
};

/**
 * Every variable this server reads: its schema's (ENV_FILE included) and the AI provider settings
 * parseAiEnv reads. The start-path test checks each of them reaches the process.
 */
export const serverEnvNames: readonly string[] = [...Object.keys(envSchema.shape), ...Object.values(AI_ENV_NAMES)];

function parseAi(source: Record<string, string | undefined>): { ai?: AiConfig; issues: string[] } {
  try {
    return { ai: parseAiEnv(source), issues: [] };
  } catch (err) {
    if (err instanceof z.ZodError) {
      return {
        issues: err.issues.map((i) => {
          const path = i.path.map(String);
          const name = AI_ENV_NAMES[path.join(".")] ?? (path[0] === "fallbackProviders" ? `AI_FALLBACK_PROVIDERS[${path.slice(1).join(".")}]` : path.join("."));
          return `${name}: ${i.message}`;
        }),
      };
    }
    return { issues: [err instanceof Error ? err.message : String(err)] };
  }
}

export class EnvError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join("\n  ")}`);
    this.issues = issues;
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  const ai = parseAi(source);
  if (!result.success || !ai.ai) {
    const issues = result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new EnvError([...issues, ...ai.issues]);
  }
  const deadlineMs = Math.min(ai.ai.deadlineMs, modelDeadlineFor(result.data.REQUEST_TIMEOUT_MS));
  return { ...result.data, dataDir: resolveDataDir(result.data), ai: { ...ai.ai, deadlineMs } };
}

/**
 * The most a reply may spend on the network before the offline persona answers: the request timeout less
 * a fifth (2 to 5 s) for that answer, its save and the response. AI_DEADLINE_MS may lower it, never raise it.
 */
export function modelDeadlineFor(requestTimeoutMs: number): number {
  return requestTimeoutMs - Math.min(5_000, Math.max(2_000, Math.round(requestTimeoutMs / 5)));
}
