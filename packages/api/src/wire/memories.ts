import type { Memory as DbMemory } from "@companion/db";
import type { Memory } from "@companion/validators";

export const toWireMemory = (m: DbMemory): Memory => ({
  id: m.id,
  companionId: m.companionId,
  messageId: m.messageId,
  title: m.title,
  content: m.content,
  pinned: m.pinned,
  createdAt: m.createdAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
});
