export * from "./users.ts";
export * from "./companions.ts";
export * from "./stories.ts";
export * from "./social.ts";
export * from "./messages.ts";
export * from "./ai.ts";
export * from "./stream-tickets.ts";
export * from "./process-leases.ts";
