import { listMessages } from "@companion/db";
import { messageListInput, messageListOutput } from "@companion/validators";
import { userProcedure } from "../trpc.ts";
import { toWireHistoryItem } from "../wire/messages.ts";

/**
 * Read side of the messages router (`messages.list`), kept apart from sending so the two
 * can change independently; spread into `messagesRouter`.
 */
export const messageHistoryProcedures = {
  /** My conversation with a companion, newest first; `isMemorized` comes from the same query. */
  list: userProcedure
    .input(messageListInput)
    .output(messageListOutput)
    .query(async ({ ctx, input }) => {
      const res = await listMessages(ctx.db, { userId: ctx.user.id, ...input });
      return { items: res.items.map(toWireHistoryItem), nextCursor: res.nextCursor };
    }),
};
