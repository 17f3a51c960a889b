import { healthRouter } from "./router/health.ts";
import { authRouter } from "./router/auth.ts";
import { companionsRouter } from "./router/companions.ts";
import { memoriesRouter } from "./router/memories.ts";
import { insightsRouter } from "./router/insights.ts";
import { storiesRouter } from "./router/stories.ts";
import { messagesRouter } from "./router/messages.ts";
import { eventsRouter } from "./router/events.ts";
import { mediaRouter } from "./router/media.ts";
import { socialRouter } from "./router/social.ts";
import { notificationsRouter } from "./router/notifications.ts";
import { settingsRouter } from "./router/settings.ts";
import { searchRouter } from "./router/search.ts";
import { moderationRouter } from "./router/moderation.ts";
import { createCallerFactory, router } from "./trpc.ts";

/** Composes the domain routers; nothing else lives here. */
export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  companions: companionsRouter,
  memories: memoriesRouter,
  insights: insightsRouter,
  stories: storiesRouter,
  messages: messagesRouter,
  events: eventsRouter,
  media: mediaRouter,
  social: socialRouter,
  notifications: notificationsRouter,
  settings: settingsRouter,
  search: searchRouter,
  moderation: moderationRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
