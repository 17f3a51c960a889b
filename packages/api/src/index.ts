export { appRouter, createCaller, type AppRouter } from "./root.ts";
export { createContextInner, createContextFromToken, type AppServices, type Context, type RequestMeta, type SessionUser } from "./context.ts";
export type { ErrorData } from "./errors.ts";
export type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
export { rateLimited, type RateLimitName } from "./rate-limit.ts";
export { createMediaService, type MediaService, type MediaServiceOptions } from "./services/media.ts";
