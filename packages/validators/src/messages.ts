import { z } from "zod";
import { streamTicket } from "./auth.ts";
import { companionProfile } from "./companions.ts";
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

/**
 * Why the reply did not come from the model, when that was the server's choice; null when it
 * did (or the model failed, and `fallback` events said so). `quota`: the person's daily limit
 * is spent and the companion answered offline, without a model call (docs/quotas.md); show a
 * note, this is not an error.
 */
const replyDegraded = z.enum(["quota"]).nullable();

export const messagesSendOutput = z.object({ userMessage: chatMessage, reply: chatMessage, degraded: replyDegraded });
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
  z.object({ type: z.literal("done"), userMessage: chatMessage, reply: chatMessage, degraded: replyDegraded }),
]);
export type MessagesStreamEvent = z.infer<typeof messagesStreamEvent>;


/** `messages.list`: my conversation with a companion, newest first; the cursor is opaque. */
export const messagesListInput = z.object({ companionId: uuid, cursor: cursor.optional(), limit: pageLimit });

/** On a regenerated reply: which of its versions it shows (0 = the first), of how many. */
const replyAlternativesRef = z.object({ position: z.number().int().min(0), count: z.number().int().min(1) });

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
  /** A regenerated reply's versions (messages.regenerate); null on anything else. */
  alternatives: replyAlternativesRef.nullable(),
});
export type MessageHistoryItem = z.infer<typeof messageHistoryItem>;

export const messagesListOutput = page(messageHistoryItem);

// Inbox and chat controls (docs/chat-controls.md).

/** The most versions a reply keeps (MAX_REPLY_ALTERNATIVES in packages/db). */
const REPLY_ALTERNATIVES_MAX = 20;

/** `messages.regenerate`: a new reply to my last message (`messageId`: it or its reply); the reply comes from `stream`. */
export const messagesRegenerateInput = z.object({ companionId: uuid, messageId: uuid, idempotencyKey });
export const messagesRegenerateOutput = messagesStartOutput;

/** `messages.edit`: new text for my last message; its reply is written anew by `stream`. */
export const messagesEditInput = z.object({ messageId: uuid, content: messagesSendInput.shape.content, idempotencyKey });
export const messagesEditOutput = messagesStartOutput;

/** `messages.selectAlternative`: which version of my last exchange's reply counts (`messageId`: the reply or my message). */
export const messagesSelectAlternativeInput = z.object({ messageId: uuid, position: z.number().int().min(0).max(REPLY_ALTERNATIVES_MAX - 1) });
export const messagesSelectAlternativeOutput = z.object({ reply: chatMessage, alternatives: replyAlternativesRef });

const replyAlternative = z.object({ position: z.number().int().min(0), content: z.string(), status: chatMessageStatus, createdAt: isoDateTime, selected: z.boolean() });

/** `messages.alternatives`: every version of an exchange's reply, by position; empty before a regenerate. */
export const messagesAlternativesInput = z.object({ messageId: uuid });
export const messagesAlternativesOutput = z.object({ items: z.array(replyAlternative) });

/** `messages.delete`: one of my messages with the rest of its exchange; `deleted: false` when it was gone already. */
export const messagesDeleteInput = z.object({ messageId: uuid });
export const messagesDeleteOutput = z.object({ deleted: z.boolean(), messageIds: z.array(uuid) });

/** `messages.conversations`: my conversations, most recent first; the cursor is opaque. */
export const messagesConversationsInput = z.object({ cursor: cursor.optional(), limit: pageLimit });

/** Counts stop at 100 (UNREAD_COUNT_CAP): show "99+" for it. */
const unreadCount = z.number().int().min(0).max(100);

const conversation = z.object({
  companion: companionProfile,
  lastMessageAt: isoDateTime,
  lastMessage: z.object({ id: uuid, role: chatRole, content: z.string(), createdAt: isoDateTime }).nullable(),
  /** The companion's messages after my read marker and after my own last message. */
  unreadCount,
});
export type Conversation = z.infer<typeof conversation>;

export const messagesConversationsOutput = page(conversation);

/** `messages.markRead`: the companion's messages up to `upTo` (default: the newest) are read. */
export const messagesMarkReadInput = z.object({ companionId: uuid, upTo: uuid.optional() });
export const messagesMarkReadOutput = z.object({ unreadCount });
