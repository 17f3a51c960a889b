/** Wire schemas shared by the server (procedure inputs/outputs) and the client. Depends on zod only. */
export * from "./common.ts";
export * from "./auth.ts";
export * from "./companions.ts";
export * from "./stories.ts";
export * from "./events.ts";
export * from "./messages.ts";
export * from "./media.ts";
export * from "./memories.ts";
export * from "./message-history.ts";
export * from "./insights.ts";
export * from "./social.ts";
