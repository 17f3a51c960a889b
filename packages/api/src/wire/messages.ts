/** The messages router's wire shapes: history items, and the chat exchange's messages and stream events. */
import type { Conversation as DbConversation, MessageStoryRef, MessageWithMemoryFlag, ReplyAlternative, StoredChatMessage } from "@companion/db";
import type { ChatMessage, Conversation, MessageHistoryItem, MessagesSendOutput, MessagesStreamEvent } from "@companion/validators";
import { toWireCompanionProfile } from "./companions.ts";
import type { ChatStreamEvent, Exchange } from "../services/chat-open.ts";
import type { MediaService } from "../services/media.ts";
import { degradedOf } from "../services/quota.ts";

type WireStoryRef = MessageHistoryItem["story"];

const toWireHistoryItem = (m: MessageWithMemoryFlag, story: WireStoryRef = null): MessageHistoryItem => ({
  id: m.id,
  role: m.role,
  content: m.content,
  status: m.status,
  proactive: m.proactive,
  createdAt: m.createdAt.toISOString(),
  isMemorized: m.isMemorized,
  alternatives: m.alternatives,
  story,
});

/** The answered story with its first slide's URL, signed as the stories feed signs it (docs/media.md#read-urls). */
async function toWireStoryRef(s: MessageStoryRef, media: MediaService): Promise<NonNullable<WireStoryRef>> {
  const firstSlide = s.firstSlide && { kind: s.firstSlide.kind, url: await media.slideUrl(s, s.firstSlide.mediaKey) };
  return { id: s.id, caption: s.caption, firstSlide };
}

/** A page without story replies (most pages) is mapped without a promise per message. */
export async function toWireHistoryPage(
  page: { items: MessageWithMemoryFlag[]; nextCursor: string | null },
  media: MediaService,
): Promise<{ items: MessageHistoryItem[]; nextCursor: string | null }> {
  const stories = page.items.some((m) => m.story) ? await Promise.all(page.items.map(async (m) => m.story && toWireStoryRef(m.story, media))) : [];
  return { items: page.items.map((m, i) => toWireHistoryItem(m, stories[i] ?? null)), nextCursor: page.nextCursor };
}

// Field by field, so a column added to the query never reaches a client unnoticed.
export const toWireChatMessage = (m: StoredChatMessage): ChatMessage => ({
  id: m.id,
  companionId: m.companionId,
  role: m.role,
  content: m.content,
  status: m.status,
  replyToId: m.replyToId,
  createdAt: m.createdAt.toISOString(),
});

export const toWireExchange = (e: Exchange): MessagesSendOutput => ({
  userMessage: toWireChatMessage(e.userMessage),
  reply: toWireChatMessage(e.reply),
  degraded: degradedOf(e.reply),
});

export function toWireStreamEvent(event: ChatStreamEvent): MessagesStreamEvent {
  switch (event.type) {
    case "token":
      return { type: "token", text: event.text };
    case "fallback":
      return { type: "fallback", from: event.from, to: event.to, reason: event.reason, discardPartial: event.discardPartial };
    case "done":
      return { type: "done", ...toWireExchange(event) };
  }
}

export const toWireConversation = async (c: DbConversation, media: MediaService): Promise<Conversation> => ({
  companion: await toWireCompanionProfile(c.companion, media),
  lastMessageAt: c.lastMessageAt.toISOString(),
  lastMessage: c.lastMessage && { id: c.lastMessage.id, role: c.lastMessage.role, content: c.lastMessage.content, createdAt: c.lastMessage.createdAt.toISOString() },
  unreadCount: c.unreadCount,
});

export const toWireReplyAlternative = (a: ReplyAlternative, selected: number | null) => ({
  position: a.position,
  content: a.content,
  status: a.status,
  createdAt: a.createdAt.toISOString(),
  selected: a.position === selected,
});
