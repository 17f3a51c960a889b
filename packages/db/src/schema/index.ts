export * from "./users.ts";
export * from "./companions.ts";
export * from "./stories.ts";
export * from "./social.ts";
export * from "./events.ts";
export * from "./media.ts";
export * from "./messages.ts";
export * from "./ai.ts";
