import { listMessages } from "@companion/db";
import {
  messagesListInput,
  messagesListOutput,
  messagesSendInput,
  messagesSendOutput,
  messagesStartInput,
  messagesStartOutput,
  messagesStreamInput,
  type MessagesStreamEvent,
} from "@companion/validators";
import { toWireChatMessage, toWireExchange, toWireHistoryPage, toWireStreamEvent } from "../wire/messages.ts";
import { rateLimited } from "../rate-limit.ts";
import { protectedProcedure, router, userProcedure } from "../trpc.ts";

export const messagesRouter = router({
  /**
   * My conversation with a companion, newest first; `isMemorized` comes from the same query, the
   * stories my replies answer (while they live) from one more, only on a page that has any.
   */
  list: userProcedure
    .input(messagesListInput)
    .output(messagesListOutput)
    .query(async ({ ctx, input }) => toWireHistoryPage(await listMessages(ctx.db, { userId: ctx.user.id, ...input }), ctx.services.media)),

  /** Saves my message and returns it with the companion's reply. Retrying with the same key returns the same pair. */
  send: protectedProcedure
    .use(rateLimited("chatMessage"))
    .input(messagesSendInput)
    .output(messagesSendOutput)
    .mutation(async ({ ctx, input }) => toWireExchange(await ctx.services.chat.send({ userId: ctx.user.id, ...input }))),

  /**
   * Saves my message (a POST: the text never travels in a URL) and returns it with a
   * single-use stream ticket; `stream` with its id then delivers the reply. Same key, same message.
   */
  // One chat budget per user, shared by send and start.
  start: protectedProcedure
    .use(rateLimited("chatMessage"))
    .input(messagesStartInput)
    .output(messagesStartOutput)
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
  stream: protectedProcedure.input(messagesStreamInput).subscription(async ({ ctx, input, signal }) => {
    const events = await ctx.services.chat.stream({ userId: ctx.user.id, messageId: input.messageId }, signal);
    return (async function* (): AsyncGenerator<MessagesStreamEvent> {
      for await (const event of events) yield toWireStreamEvent(event);
    })();
  }),
});
