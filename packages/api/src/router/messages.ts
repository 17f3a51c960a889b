import { sendMessageInput, sendMessageOutput, streamMessageInput, type StreamMessageEvent } from "@companion/validators";
import { toWireExchange, toWireStreamEvent } from "../services/chat-wire.ts";
import { rateLimited } from "../rate-limit.ts";
import { protectedProcedure, router } from "../trpc.ts";
import { messageHistoryProcedures } from "./message-history.ts";

export const messagesRouter = router({
  ...messageHistoryProcedures,

  /** Saves my message and returns it with the companion's reply. Retrying with the same key returns the same pair. */
  send: protectedProcedure
    .use(rateLimited("chatMessage"))
    .input(sendMessageInput)
    .output(sendMessageOutput)
    .mutation(async ({ ctx, input }) => toWireExchange(await ctx.services.chat.send({ userId: ctx.user.id, ...input }))),

  /**
   * The same exchange streamed over SSE: `token`s, `fallback`s, then `done` with both saved
   * messages. The service runs before the stream starts, so NOT_FOUND / CONFLICT arrive as
   * ordinary errors; closing the subscription aborts the model call and keeps the partial reply.
   */
  // One chat budget per user, shared by send and stream.
  stream: protectedProcedure.use(rateLimited("chatMessage")).input(streamMessageInput).subscription(async ({ ctx, input, signal }) => {
    const events = await ctx.services.chat.stream({ userId: ctx.user.id, ...input }, signal);
    return (async function* (): AsyncGenerator<StreamMessageEvent> {
      for await (const event of events) yield toWireStreamEvent(event);
    })();
  }),
});
