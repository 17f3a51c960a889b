/**
 * Wire schemas shared by the server (procedure inputs/outputs) and the client. Depends on zod only.
 *
 * Naming: each procedure has a pair named after its path, `<router><Procedure>Input` and
 * `<router><Procedure>Output` (`stories.feed`: storiesFeedInput / storiesFeedOutput), even
 * where two procedures share a shape; the shapes they are built from are nouns (`story`,
 * `memory`, `relationshipState`). A stream's item is `<router><Procedure>Event`
 * (messagesStreamEvent).
 */
export * from "./common.ts";
export * from "./auth.ts";
export * from "./companions.ts";
export * from "./cards.ts";
export * from "./stories.ts";
export * from "./events.ts";
export * from "./messages.ts";
export * from "./media.ts";
export * from "./memories.ts";
export * from "./search.ts";
export * from "./insights.ts";
export * from "./social.ts";
export * from "./moderation.ts";
export * from "./notifications.ts";
export * from "./settings.ts";
