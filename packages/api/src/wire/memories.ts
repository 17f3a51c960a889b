import type { ConversationSummary as DbConversationSummary, Memory as DbMemory } from "@companion/db";
import type { ConversationSummary, Memory } from "@companion/validators";

export const toWireMemory = (m: DbMemory): Memory => ({
  id: m.id,
  companionId: m.companionId,
  messageId: m.messageId,
  title: m.title,
  content: m.content,
  pinned: m.pinned,
  source: m.source,
  importance: m.importance,
  lastUsedAt: m.lastUsedAt?.toISOString() ?? null,
  createdAt: m.createdAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
});

export const toWireConversationSummary = (s: DbConversationSummary): ConversationSummary => ({
  version: s.version,
  content: s.content,
  coversUntil: s.coversUntil.toISOString(),
  messageCount: s.messageCount,
  method: s.method,
  createdAt: s.createdAt.toISOString(),
});
