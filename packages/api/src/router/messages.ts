import {
  sendMessageInput,
  sendMessageOutput,
  startMessageInput,
  startMessageOutput,
  streamMessageInput,
  type StreamMessageEvent,
} from "@companion/validators";
import { toWireChatMessage, toWireExchange, toWireStreamEvent } from "../services/chat-wire.ts";
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
   * Saves my message (a POST: the text never travels in a URL) and returns it with a
   * single-use stream ticket; `stream` with its id then delivers the reply. Same key, same message.
   */
  // One chat budget per user, shared by send and start.
  start: protectedProcedure
    .use(rateLimited("chatMessage"))
    .input(startMessageInput)
    .output(startMessageOutput)
    .mutation(async ({ ctx, input }) => {
      const [userMessage, ticket] = await Promise.all([
        ctx.services.chat.start({ userId: ctx.user.id, ...input }),
        ctx.services.auth.issueStreamTicket({ userId: ctx.user.id, sessionId: ctx.user.sessionId, role: ctx.user.role }),
      ]);
      return { userMessage: toWireChatMessage(userMessage), streamTicket: { ticket: ticket.ticket, expiresAt: ticket.expiresAt.toISOString() } };
    }),

  /**
   * The reply to a message saved by `start`, over SSE: `token`s, `fallback`s, then `done`
   * with both saved messages; a finished reply arrives whole. Leaving aborts the model call
   * and keeps the partial reply. docs/ai.md.
   */
  stream: protectedProcedure.input(streamMessageInput).subscription(async ({ ctx, input, signal }) => {
    const events = await ctx.services.chat.stream({ userId: ctx.user.id, messageId: input.messageId }, signal);
    return (async function* (): AsyncGenerator<StreamMessageEvent> {
      for await (const event of events) yield toWireStreamEvent(event);
    })();
  }),
});
