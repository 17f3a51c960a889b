import { z } from "zod";
import { cursor, isoDateTime, page, pageLimit, uuid } from "./common.ts";

/** `messages.list`: my conversation with a companion, newest first; the cursor is opaque. */
export const messageListInput = z.object({ companionId: uuid, cursor: cursor.optional(), limit: pageLimit });

const messageHistoryItem = z.object({
  id: uuid,
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  status: z.enum(["complete", "partial", "failed"]),
  createdAt: isoDateTime,
  /** I saved this message as a memory. */
  isMemorized: z.boolean(),
});
export type MessageHistoryItem = z.infer<typeof messageHistoryItem>;

export const messageListOutput = page(messageHistoryItem);
