/**
 * Media storage settings, shared by every process that touches media (the server, and the
 * worker whose expiry job deletes it). Apps merge `storageEnvShape` into their env schema.
 */
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { createLocalStorage, type LocalMediaStorage } from "./local.ts";
import type { S3MediaStorage } from "./s3.ts";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const storageEnvShape = {
  /** Local media root; default `<data dir>/media`. A relative path is taken from `baseDir`. */
  MEDIA_DIR: z.string().optional(),
  /** S3_BUCKET switches media to S3/MinIO; the access keys are then required. */
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default("us-east-1"),
  /** Set for MinIO, R2 and other S3-compatible stores; unset for AWS. */
  S3_ENDPOINT: z.url().optional(),
  /**
   * The store's address as clients see it, for presigned URLs, when it differs from
   * S3_ENDPOINT (docker-compose: http://localhost:9000 for a browser, http://minio:9000 inside).
   */
  S3_PUBLIC_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
};

export type StorageEnv = z.infer<z.ZodObject<typeof storageEnvShape>>;

/** Problems with the storage settings as a whole (for an env schema's superRefine). */
export function storageEnvIssues(env: StorageEnv): Array<{ path: string; message: string }> {
  if (!env.S3_BUCKET) return [];
  return (["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const)
    .filter((name) => !env[name])
    .map((name) => ({ path: name, message: `${name} is required when S3_BUCKET is set` }));
}

/**
 * Opens what the env names: S3 when S3_BUCKET is set, else local disk. `signingKey` is
 * needed only by a process that signs or verifies upload and read URLs (the server).
 * The AWS SDK (1.2 MB of source) is loaded only for S3 (docs/scaling.md#memory).
 */
export async function openConfiguredStorage(
  env: StorageEnv,
  options: { dataDir: string; baseDir?: string; signingKey?: Uint8Array },
): Promise<LocalMediaStorage | S3MediaStorage> {
  if (env.S3_BUCKET) {
    const [issue] = storageEnvIssues(env);
    if (issue || !env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY) throw new Error(issue?.message ?? "S3 credentials missing");
    const { createS3Storage } = await import("./s3.ts");
    return createS3Storage({
      bucket: env.S3_BUCKET,
      region: env.S3_REGION,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
      ...(env.S3_PUBLIC_ENDPOINT ? { publicEndpoint: env.S3_PUBLIC_ENDPOINT } : {}),
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? false,
    });
  }
  const dir = !env.MEDIA_DIR
    ? join(options.dataDir, "media")
    : isAbsolute(env.MEDIA_DIR)
      ? env.MEDIA_DIR
      : resolve(options.baseDir ?? process.cwd(), env.MEDIA_DIR);
  return createLocalStorage({ dir, ...(options.signingKey ? { signingKey: options.signingKey } : {}) });
}
