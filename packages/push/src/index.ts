export { createConfiguredPushSender, pushEnvIssues, pushEnvShape } from "./env.ts";
export type { PushSender } from "./types.ts";
