/** Rate limits and media storage from env, for createRuntime (services.ts). */
import { createMediaService, type MediaService } from "@companion/api";
import { resolveDataDir } from "@companion/db";
import { createRateLimits, type RateLimits } from "@companion/ratelimit";
import { openConfiguredStorage, type LocalMediaStorage, type S3MediaStorage } from "@companion/storage";
import type { Logger } from "pino";
import type { Env } from "./env.ts";

/**
 * The process's limiters: in memory, or on Redis (REDIS_URL) with in-memory insurance.
 * Redis going away is logged once per outage and never fails a request.
 */
export async function createServerRateLimits(env: Env, log: Logger): Promise<RateLimits> {
  const perMinute = (points: number) => ({ points, durationSec: 60 });
  const limits = await createRateLimits({
    redisUrl: env.REDIS_URL ?? null,
    keyPrefix: env.REDIS_KEY_PREFIX,
    rules: {
      storyCreate: perMinute(env.RATE_STORY_CREATE_PER_MIN),
      reaction: perMinute(env.RATE_REACTION_PER_MIN),
      chatMessage: perMinute(env.RATE_CHAT_PER_MIN),
      report: { points: env.RATE_REPORT_PER_HOUR, durationSec: 3600 },
      mediaUpload: perMinute(env.RATE_UPLOAD_PER_MIN),
      loginAccountIp: { points: env.LOGIN_MAX_FAILURES_PER_ACCOUNT_IP, durationSec: env.LOGIN_FAILURE_WINDOW_SEC },
      loginAccount: { points: env.LOGIN_MAX_FAILURES_PER_ACCOUNT, durationSec: env.LOGIN_FAILURE_WINDOW_SEC },
      loginIp: { points: env.LOGIN_MAX_FAILURES_PER_IP, durationSec: env.LOGIN_FAILURE_WINDOW_SEC },
      loginDevice: { points: env.LOGIN_MAX_FAILURES_PER_DEVICE, durationSec: env.LOGIN_FAILURE_WINDOW_SEC },
    },
    onStoreDown: (err) => log.warn({ err }, "redis unreachable: rate limits fall back to per-process memory until it is back"),
    onStoreUp: () => log.info("redis reachable again: rate limits are shared again"),
    onLimiterError: (err, name) => log.error({ err, limit: name }, "rate limiter failed; call let through"),
  });
  log.info({ store: limits.store }, "rate limits ready");
  return limits;
}

export interface ServerMedia {
  service: MediaService;
  /** Set on the embedded default: our server receives (PUT) and serves (GET) the bytes. */
  local: LocalMediaStorage | null;
  /** Set on S3: the bucket, which readiness probes. */
  s3: S3MediaStorage | null;
}

/** S3/MinIO when S3_BUCKET is set, else local disk under MEDIA_DIR (default `<DATA_DIR>/media`). */
export async function createServerMedia(env: Env, signingKey: Uint8Array, log: Logger): Promise<ServerMedia> {
  // A relative MEDIA_DIR is taken from the repository root, like DATA_DIR.
  const storage = await openConfiguredStorage(env, { dataDir: env.dataDir, baseDir: resolveDataDir({ DATA_DIR: "." }), signingKey });
  if (storage.driver === "s3") {
    log.info({ bucket: env.S3_BUCKET, endpoint: env.S3_ENDPOINT ?? "aws", publicEndpoint: env.S3_PUBLIC_ENDPOINT ?? env.S3_ENDPOINT ?? "aws" }, "media storage: S3");
  }
  else log.info({ dir: storage.dir }, "media storage: local disk");
  return {
    service: createMediaService({ storage, uploadUrlTtlSec: env.UPLOAD_URL_TTL_SEC, readUrlTtlSec: env.MEDIA_URL_TTL_SEC, log }),
    local: storage.driver === "local" ? storage : null,
    s3: storage.driver === "s3" ? storage : null,
  };
}
