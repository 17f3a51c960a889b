/**
 * Request context. `createContextInner` knows nothing of HTTP, so tests and admin scripts
 * build contexts with it directly; the HTTP adapter (apps/server) only extracts the bearer
 * token and request metadata, then calls `createContextFromToken`.
 */
import type { JobQueue } from "@companion/jobs";
import type { AuthService } from "@companion/auth";
import type { Database, DatabaseKind, QuotaLimits } from "@companion/db";
import type { RateLimits } from "@companion/ratelimit";
import type { AccountService } from "./services/account.ts";
import type { MediaService } from "./services/media.ts";
import type { EventHub } from "./realtime/hub.ts";
import type { ChatService } from "./services/chat.ts";
import type { SearchService } from "./services/search.ts";
import type { StoryDraftService } from "./services/story-drafts.ts";

/** Long-lived dependencies, built once per process. */
export interface AppServices {
  db: Database;
  dbKind: DatabaseKind;
  auth: AuthService;
  /** Named per-key limiters (memory, or Redis with in-memory insurance); see rate-limit.ts. */
  rateLimits: RateLimits;
  /** Upload URLs and stored media (local disk or S3). */
  media: MediaService;
  /** This process's realtime hub (one LISTEN connection); close it on shutdown. */
  eventHub: EventHub;
  /** search.query: full-text, or hybrid with embeddings (packages/api/src/services/search.ts). */
  search: SearchService;
  /** AI chat over the process's one fallback chain (packages/api/src/services/chat.ts). */
  chat: ChatService;
  /** Story drafts of companions people own (docs/stories.md#drafts). */
  storyDrafts: StoryDraftService;
  /** WEB_PUSH_VAPID_PUBLIC_KEY when Web Push is configured, for `notifications.pushConfig`. */
  webPushPublicKey: string | null;
  /** COMPANION_DAILY_QUOTA: companions.create per person and UTC day; unset: COMPANION_DAILY_QUOTA of @companion/db. */
  companionDailyQuota?: number;
  /** QUOTA_MESSAGES_PER_DAY / QUOTA_TOKENS_PER_DAY, the defaults insights.usage reports against (docs/quotas.md). */
  quotas: QuotaLimits;
  /** The job queue: procedures enqueue follow-up work in their own transaction (`ctx.db`). */
  jobs: JobQueue;
  /** The account: deletion, data export, profile, password reset (docs/account.md). */
  account: AccountService;
  /** Aborts when the process starts shutting down: long-lived subscriptions end cleanly. */
  closing: AbortSignal;
}

export interface SessionUser {
  id: string;
  /** The refresh-token family the access token was issued for. */
  sessionId: string;
  role: "user" | "admin";
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface Context {
  services: AppServices;
  user: SessionUser | null;
  /** Why a presented token was rejected, reported by protected procedures. */
  authError: string | null;
  meta: RequestMeta;
}

const noMeta: RequestMeta = { ip: null, userAgent: null, requestId: null };

export function createContextInner(opts: { services: AppServices; user?: SessionUser | null; meta?: Partial<RequestMeta> }): Context {
  return { services: opts.services, user: opts.user ?? null, authError: null, meta: { ...noMeta, ...opts.meta } };
}

/**
 * Verifies the caller's credential, if any: a bearer access token, or (SSE only, from a
 * client that cannot send headers) a single-use stream ticket, redeemed here. An invalid
 * one yields an anonymous context with `authError`.
 */
export async function createContextFromToken(
  services: AppServices,
  credential: string | { ticket: string } | null,
  meta: Partial<RequestMeta>,
): Promise<Context> {
  const ctx = createContextInner({ services, meta });
  if (!credential) return ctx;
  try {
    const claims = typeof credential === "string" ? await services.auth.verifyAccessToken(credential) : await services.auth.redeemStreamTicket(credential.ticket);
    return { ...ctx, user: { id: claims.userId, sessionId: claims.sessionId, role: claims.role } };
  } catch (err) {
    return { ...ctx, authError: err instanceof Error ? err.message : "Invalid access token" };
  }
}
