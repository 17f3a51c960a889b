export { createConfiguredPushSender, pushEnvIssues, pushEnvShape, type PushEnv } from "./env.ts";
export { createLogPushSender } from "./log.ts";
export { PushUnavailableError, type PushMessage, type PushOutcome, type PushSender, type PushTarget } from "./types.ts";
export { createWebPushSender, type WebPushOptions } from "./web.ts";
