/** The messages router's wire shapes: history items, and the chat exchange's messages and stream events. */
import type { Conversation as DbConversation, MessageWithMemoryFlag, ReplyAlternative, StoredChatMessage } from "@companion/db";
import type { ChatMessage, Conversation, MessageHistoryItem, MessagesSendOutput, MessagesStreamEvent } from "@companion/validators";
import { toWireCompanionProfile } from "./companions.ts";
import type { ChatStreamEvent, Exchange } from "../services/chat-open.ts";

export const toWireHistoryItem = (m: MessageWithMemoryFlag): MessageHistoryItem => ({
  id: m.id,
  role: m.role,
  content: m.content,
  status: m.status,
  proactive: m.proactive,
  createdAt: m.createdAt.toISOString(),
  isMemorized: m.isMemorized,
  alternatives: m.alternatives,
});

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

export const toWireConversation = (c: DbConversation): Conversation => ({
  companion: toWireCompanionProfile(c.companion),
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
