import type { RouterOutputs } from "@companion/client";

export type Notification = RouterOutputs["notifications"]["list"]["items"][number];
export type NotificationKind = Notification["kind"];

/** The kinds this app knows, with a name for the preferences; a kind not listed here is skipped (docs/notifications.md). */
export const KIND_LABELS: Record<NotificationKind, string> = {
  follow: "New followers",
  story_reaction: "Reactions to my stories",
  story_reply: "Replies to my stories",
  companion_story: "Stories from my companions",
  companion_message: "Messages my companions write first",
  digest_ready: "Weekly digests",
  data_export_ready: "My data export is ready",
};

export const isKnownKind = (kind: string): kind is NotificationKind => Object.hasOwn(KIND_LABELS, kind);

/** Where a notification leads, if anywhere: the person, my stories, the story's companion, the digest. */
export function notificationHref(n: Notification): string | null {
  switch (n.kind) {
    case "follow":
      return `/people/${n.data.followerId}`;
    case "story_reaction":
    case "story_reply":
    case "companion_story":
      return "/stories";
    case "companion_message":
      return "/chats";
    case "digest_ready":
      return "/insights";
    case "data_export_ready":
      return "/account";
  }
}
