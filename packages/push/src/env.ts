/**
 * Push settings, shared by every process that runs the notifications.push job (the server
 * in-process, apps/worker). Apps merge `pushEnvShape` into their env schema.
 */
import { z } from "zod";
import { createLogPushSender } from "./log.ts";
import type { PushSender } from "./types.ts";
import { createWebPushSender } from "./web.ts";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const pushEnvShape = {
  /** VAPID key pair (base64url, `npx web-push generate-vapid-keys`); both set: Web Push is on. */
  WEB_PUSH_VAPID_PUBLIC_KEY: z.string().min(80).max(100).optional(),
  WEB_PUSH_VAPID_PRIVATE_KEY: z.string().min(40).max(50).optional(),
  /** Who runs this server, for push services to reach: `mailto:` or `https:`. */
  WEB_PUSH_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, "must start with mailto: or https://")
    .optional(),
  /** Accept `http:` push endpoints: local test endpoints only. */
  WEB_PUSH_ALLOW_HTTP: bool.optional(),
};

export type PushEnv = z.infer<z.ZodObject<typeof pushEnvShape>>;

const VAPID = ["WEB_PUSH_VAPID_PUBLIC_KEY", "WEB_PUSH_VAPID_PRIVATE_KEY", "WEB_PUSH_SUBJECT"] as const;

/** Problems with the push settings as a whole (for an env schema's superRefine): all of VAPID or none. */
export function pushEnvIssues(env: PushEnv): Array<{ path: string; message: string }> {
  if (!VAPID.some((name) => env[name])) return [];
  return VAPID.filter((name) => !env[name]).map((name) => ({ path: name, message: `${name} is required when Web Push is configured (${VAPID.join(", ")})` }));
}

/** The sender the env names: Web Push with VAPID, else one that logs. */
export function createConfiguredPushSender(env: PushEnv, log: { info(obj: object, msg: string): void }): PushSender {
  const { WEB_PUSH_VAPID_PUBLIC_KEY: publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: privateKey, WEB_PUSH_SUBJECT: subject } = env;
  if (!publicKey || !privateKey || !subject) return createLogPushSender(log);
  return createWebPushSender({ vapid: { publicKey, privateKey, subject }, allowHttp: env.WEB_PUSH_ALLOW_HTTP ?? false });
}
