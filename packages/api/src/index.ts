export { appRouter, createCaller, type AppRouter } from "./root.ts";
export { createContextInner, createContextFromToken, type AppServices, type Context, type RequestMeta, type SessionUser } from "./context.ts";
export type { ErrorData } from "./errors.ts";
export type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
export { createChatService, type ChatService, type ChatServiceOptions, type ChatStreamEvent, type Exchange } from "./services/chat.ts";
export { createAiCallRecorder, createBackgroundTasks, type AiCallRecorder, type BackgroundTasks, type ServiceLogger } from "./services/background.ts";
export { DEFAULT_CHAT_BUDGET, type ChatBudget } from "./services/chat-prompt.ts";
export { rateLimited, type RateLimitName } from "./rate-limit.ts";
export { createMediaService, type MediaService, type MediaServiceOptions } from "./services/media.ts";
