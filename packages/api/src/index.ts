export { appRouter, createCaller, type AppRouter } from "./root.ts";
export { createContextInner, createContextFromToken, type AppServices } from "./context.ts";
export type { ErrorData } from "./errors.ts";
export type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
export { createChatService } from "./services/chat.ts";
export { createAiCallRecorder, createBackgroundTasks } from "./services/background.ts";
export { startProcessLease, type ProcessLease } from "./services/process-lease.ts";
export { startEventHub, type EventHub } from "./realtime/hub.ts";
export { createMediaService, type MediaService } from "./services/media.ts";
