/** Chat service results as the wire shapes of @companion/validators (ISO timestamps, explicit fields). */
import type { StoredChatMessage } from "@companion/db";
import type { ChatMessage, SendMessageOutput, StreamMessageEvent } from "@companion/validators";
import type { ChatStreamEvent, Exchange } from "./chat-open.ts";

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

export const toWireExchange = (e: Exchange): SendMessageOutput => ({
  userMessage: toWireChatMessage(e.userMessage),
  reply: toWireChatMessage(e.reply),
});

export function toWireStreamEvent(event: ChatStreamEvent): StreamMessageEvent {
  switch (event.type) {
    case "token":
      return { type: "token", text: event.text };
    case "fallback":
      return { type: "fallback", from: event.from, to: event.to, reason: event.reason, discardPartial: event.discardPartial };
    case "done":
      return { type: "done", ...toWireExchange(event) };
  }
}
