import { z } from "zod";
import { streamTicket } from "./auth.ts";
import { cursor, isoDateTime, page, pageLimit, text, uuid } from "./common.ts";

const CHAT_MESSAGE_MAX_CHARS = 4_000;

const chatRole = z.enum(["user", "assistant"]);

/** `partial`: a streamed reply cut short by a disconnect. `failed`: cut before any text arrived. */
const chatMessageStatus = z.enum(["complete", "partial", "failed"]);

/** One message of a conversation as `messages.send` / `messages.stream` return it. */
export const chatMessage = z.object({
  id: uuid,
  companionId: uuid,
  role: chatRole,
  content: z.string(),
  status: chatMessageStatus,
  /** On a reply: the user message it answers. */
  replyToId: uuid.nullable(),
  createdAt: isoDateTime,
});
export type ChatMessage = z.infer<typeof chatMessage>;

/**
 * Chosen by the client per message (a UUID is a good choice) and reused when it retries
 * the same message: the server answers a key once and returns that answer to every retry.
 */
export const idempotencyKey = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "letters, digits and . _ : - only");

/** What I write in a chat message (also a reply to a story). */
export const chatMessageContent = text().trim().min(1).max(CHAT_MESSAGE_MAX_CHARS);

export const messagesSendInput = z.object({
  companionId: uuid,
  content: chatMessageContent,
  idempotencyKey,
});

export const messagesSendOutput = z.object({ userMessage: chatMessage, reply: chatMessage });
export type MessagesSendOutput = z.infer<typeof messagesSendOutput>;

/** `messages.start` takes the same input as `send`: a POST body, never a URL. */
export const messagesStartInput = messagesSendInput;

export const messagesStartOutput = z.object({ userMessage: chatMessage, streamTicket });

/** `messages.stream` subscribes to the reply of a message saved by `start`, by its id. */
export const messagesStreamInput = z.object({ messageId: uuid });

/**
 * Events of `messages.stream`, in order: `token`s as the reply arrives, possibly
 * interrupted by `fallback`s, then one `done` with both saved messages.
 *
 * `fallback`: the provider `from` failed (`reason`) and the reply restarts on `to`
 * (`offline` is the built-in persona fallback). When `discardPartial` is true, drop the
 * tokens shown since the previous fallback: the new attempt does not continue them.
 * `done.reply.content` is always the text to keep.
 * @public
 */
export const messagesStreamEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("token"), text: z.string() }),
  z.object({
    type: z.literal("fallback"),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    discardPartial: z.boolean(),
  }),
  z.object({ type: z.literal("done"), userMessage: chatMessage, reply: chatMessage }),
]);
export type MessagesStreamEvent = z.infer<typeof messagesStreamEvent>;


/** `messages.list`: my conversation with a companion, newest first; the cursor is opaque. */
export const messagesListInput = z.object({ companionId: uuid, cursor: cursor.optional(), limit: pageLimit });

const messageHistoryItem = z.object({
  id: uuid,
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  status: z.enum(["complete", "partial", "failed"]),
  /** The companion wrote this first (docs/proactive.md), not in reply to me. */
  proactive: z.boolean(),
  createdAt: isoDateTime,
  /** I saved this message as a memory. */
  isMemorized: z.boolean(),
  /**
   * The companion's story this message answers (stories.reply), while it lives and I may see it;
   * null otherwise. `firstSlide.url` as a story slide's url (storiesByIdOutput).
   */
  story: z
    .object({
      id: uuid,
      caption: z.string().nullable(),
      firstSlide: z.object({ kind: z.enum(["image", "video"]), url: z.string() }).nullable(),
    })
    .nullable(),
});
export type MessageHistoryItem = z.infer<typeof messageHistoryItem>;

export const messagesListOutput = page(messageHistoryItem);
