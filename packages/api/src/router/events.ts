import { eventsSubscribeInput } from "@companion/validators";
import { openUserEventStream } from "../realtime/stream.ts";
import { protectedProcedure, router } from "../trpc.ts";

export const eventsRouter = router({
  /**
   * My events over SSE, each as `tracked(id, event)`: first what came after `lastEventId`
   * (the client sends it by itself when it reconnects), then live ones. docs/realtime.md.
   */
  subscribe: protectedProcedure.input(eventsSubscribeInput).subscription(({ ctx, input, signal }) =>
    openUserEventStream({
      db: ctx.services.db,
      hub: ctx.services.eventHub,
      userId: ctx.user.id,
      lastEventId: input?.lastEventId,
      // A shutdown ends the stream cleanly; the client resumes on another server with its last id.
      signal: signal ? AbortSignal.any([signal, ctx.services.closing]) : ctx.services.closing,
    }),
  ),
});
