/** `messages.list` items; the chat path's own shapes are in services/chat-wire.ts. */
import type { MessageWithMemoryFlag } from "@companion/db";
import type { MessageHistoryItem } from "@companion/validators";

export const toWireHistoryItem = (m: MessageWithMemoryFlag): MessageHistoryItem => ({
  id: m.id,
  role: m.role,
  content: m.content,
  status: m.status,
  createdAt: m.createdAt.toISOString(),
  isMemorized: m.isMemorized,
});
