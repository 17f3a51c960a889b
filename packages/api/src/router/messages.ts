import {
  deleteExchange,
  editLastMessage,
  listConversations,
  listMessages,
  listReplyAlternatives,
  markConversationRead,
  regenerateReply,
  selectReplyAlternative,
  type StoredChatMessage,
} from "@companion/db";
import {
  messagesAlternativesInput,
  messagesAlternativesOutput,
  messagesConversationsInput,
  messagesConversationsOutput,
  messagesDeleteInput,
  messagesDeleteOutput,
  messagesEditInput,
  messagesEditOutput,
  messagesMarkReadInput,
  messagesMarkReadOutput,
  messagesRegenerateInput,
  messagesRegenerateOutput,
  messagesSelectAlternativeInput,
  messagesSelectAlternativeOutput,
  messagesListInput,
  messagesListOutput,
  messagesSendInput,
  messagesSendOutput,
  messagesStartInput,
  messagesStartOutput,
  messagesStreamInput,
  type MessagesStreamEvent,
} from "@companion/validators";
import type { AppServices, SessionUser } from "../context.ts";
import { toWireChatMessage, toWireConversation, toWireExchange, toWireHistoryPage, toWireReplyAlternative, toWireStreamEvent } from "../wire/messages.ts";
import { rateLimited } from "../rate-limit.ts";
import { protectedProcedure, router, userProcedure, userScope } from "../trpc.ts";

/** A message whose reply `stream` writes, with a stream ticket for it (as messages.start answers). */
async function withStreamTicket(ctx: { services: AppServices; user: SessionUser }, userMessage: StoredChatMessage) {
  const ticket = await ctx.services.auth.issueStreamTicket({ userId: ctx.user.id, sessionId: ctx.user.sessionId, role: ctx.user.role });
  return { userMessage: toWireChatMessage(userMessage), streamTicket: { ticket: ticket.ticket, expiresAt: ticket.expiresAt.toISOString() } };
}

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

  // Inbox and chat controls (docs/chat-controls.md).

  /** My conversations, most recent first: the companion's public profile, the last message, my unread count. */
  conversations: userProcedure
    .input(messagesConversationsInput)
    .output(messagesConversationsOutput)
    .query(async ({ ctx, input }) => {
      const res = await listConversations(ctx.db, { userId: ctx.user.id, ...input });
      return { items: await Promise.all(res.items.map((c) => toWireConversation(c, ctx.services.media))), nextCursor: res.nextCursor };
    }),

  /** Marks the companion's messages up to `upTo` (default: the newest) read; returns what stays unread. NOT_FOUND if not mine. */
  markRead: userProcedure
    .input(messagesMarkReadInput)
    .output(messagesMarkReadOutput)
    .mutation(({ ctx, input }) => markConversationRead(ctx.db, { userId: ctx.user.id, ...input })),

  /**
   * A new reply to my last message (`messageId`: it or its reply), the earlier ones kept as
   * alternatives; `stream` with the message's id writes it. Same key, nothing new. CONFLICT when
   * it is not my last exchange or its reply is still being written.
   */
  regenerate: protectedProcedure
    .use(rateLimited("chatMessage"))
    .use(userScope)
    .input(messagesRegenerateInput)
    .output(messagesRegenerateOutput)
    .mutation(async ({ ctx, input }) => withStreamTicket(ctx, await regenerateReply(ctx.db, { userId: ctx.user.id, ...input }))),

  /** New text for my last message; its reply and alternatives go, and `stream` writes a new one. Same key and text, same result. */
  edit: protectedProcedure
    .use(rateLimited("chatMessage"))
    .input(messagesEditInput)
    // The new text passes the safety check before the user scope opens (docs/safety.md): a refusal stores nothing.
    .use(async ({ ctx, input, next }) => next({ ctx: { flagged: await ctx.services.chat.screen({ userId: ctx.user.id, content: input.content }) } }))
    .use(userScope)
    .output(messagesEditOutput)
    .mutation(async ({ ctx, input }) => withStreamTicket(ctx, await editLastMessage(ctx.db, { userId: ctx.user.id, ...input, flagged: ctx.flagged }))),

  /** Which version of my last exchange's reply counts for the history and the prompt. Idempotent. */
  selectAlternative: userProcedure
    .input(messagesSelectAlternativeInput)
    .output(messagesSelectAlternativeOutput)
    .mutation(async ({ ctx, input }) => {
      const res = await selectReplyAlternative(ctx.db, { userId: ctx.user.id, ...input });
      // Hybrid search: the reply's words changed, so does its embedding (docs/search.md).
      if (res.changed && ctx.services.search.embedder) await ctx.services.jobs.enqueue(ctx.db, "search.embed", { kind: "message", ids: [res.reply.id] });
      return { reply: toWireChatMessage(res.reply), alternatives: { position: input.position, count: res.count } };
    }),

  /** Every version of an exchange's reply (`messageId`: my message or its reply); empty before a regenerate. */
  alternatives: userProcedure
    .input(messagesAlternativesInput)
    .output(messagesAlternativesOutput)
    .query(async ({ ctx, input }) => {
      const res = await listReplyAlternatives(ctx.db, { userId: ctx.user.id, ...input });
      return { items: res.items.map((a) => toWireReplyAlternative(a, res.selected)) };
    }),

  /** Deletes one of my messages with the rest of its exchange (memories from it keep their text). Gone already: `deleted: false`. */
  delete: userProcedure
    .input(messagesDeleteInput)
    .output(messagesDeleteOutput)
    .mutation(({ ctx, input }) => deleteExchange(ctx.db, { userId: ctx.user.id, ...input })),
});
