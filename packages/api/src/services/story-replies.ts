/**
 * stories.reply (docs/stories.md#replying-to-a-story): on a companion's story, my message in our
 * chat, carrying the story, answered as after messages.start; on a person's story, a notification
 * to its author (there is no chat between people).
 */
import { findStoryForReply, notifyStoryReply, withUser, type StoredChatMessage, type StoryReplyTarget } from "@companion/db";
import { DomainError } from "@companion/errors";
import type { AppServices, SessionUser } from "../context.ts";

export type StoryReply =
  | { kind: "chat"; userMessage: StoredChatMessage; streamTicket: { ticket: string; expiresAt: Date } }
  | { kind: "notified"; storyId: string };

type CompanionStory = Extract<StoryReplyTarget, { author: "companion" }>;

/**
 * NOT_FOUND unless I may see the story now (expired and deleted ones included); BAD_REQUEST for
 * my own story; the chat's errors (IDEMPOTENCY_KEY_REUSED) for a companion's. The same key
 * again: the same message, or no second notification.
 */
export async function replyToStory(
  services: Pick<AppServices, "db" | "chat" | "auth" | "jobs">,
  user: SessionUser,
  input: { storyId: string; content: string; idempotencyKey: string },
): Promise<StoryReply> {
  const { db, jobs } = services;
  const companionStory = await withUser(db, user.id, async (tx): Promise<CompanionStory | null> => {
    const story = await findStoryForReply(tx, { userId: user.id, storyId: input.storyId });
    if (story.author === "companion") return story;
    if (story.authorUserId === user.id) throw new DomainError("BAD_REQUEST", "You cannot reply to your own story", { field: "storyId" });
    await notifyStoryReply(tx, {
      storyId: story.id,
      authorId: story.authorUserId,
      replierId: user.id,
      text: input.content,
      idempotencyKey: input.idempotencyKey,
      onCreated: (t, notificationId) => jobs.enqueue(t, "notifications.push", { notificationId }).then(() => undefined),
    });
    return null;
  });
  if (!companionStory) return { kind: "notified", storyId: input.storyId };
  const [userMessage, streamTicket] = await Promise.all([
    services.chat.start({ userId: user.id, companionId: companionStory.companionId, content: input.content, idempotencyKey: input.idempotencyKey, storyId: companionStory.id }),
    services.auth.issueStreamTicket({ userId: user.id, sessionId: user.sessionId, role: user.role }),
  ]);
  return { kind: "chat", userMessage, streamTicket };
}
