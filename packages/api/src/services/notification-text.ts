/**
 * The words of a notification, for the list (`text`) and the push (title, body). Built from its
 * stored data when read, so a change of wording needs no migration. Unknown kinds get a neutral line.
 */
const str = (v: unknown, fallback: string) => (typeof v === "string" && v.length > 0 ? v : fallback);

export function describeNotification(kind: string, data: Record<string, unknown>): { title: string; body: string } {
  switch (kind) {
    case "follow":
      return { title: "New follower", body: `${str(data.followerName, "Someone")} started following you` };
    case "story_reaction": {
      const count = typeof data.reactorCount === "number" ? data.reactorCount : 1;
      const last = data.lastReactor as { displayName?: unknown } | undefined;
      const name = str(last?.displayName, "Someone");
      const others = count - 1;
      const who = others <= 0 ? name : `${name} and ${others} ${others === 1 ? "other" : "others"}`;
      return { title: "Story reactions", body: `${who} reacted to your story` };
    }
    case "companion_story":
      return { title: "New story", body: `${str(data.companionName, "A companion")} posted a story` };
    case "companion_message":
      return { title: str(data.companionName, "A companion"), body: `${str(data.companionName, "A companion")} wrote to you` };
    case "digest_ready":
      return { title: "Your week", body: `Your week with ${str(data.companionName, "your companion")} is ready` };
    case "story_reply": {
      const replier = data.replier as { displayName?: unknown } | undefined;
      return { title: "Story reply", body: `${str(replier?.displayName, "Someone")} replied to your story: ${str(data.text, "…")}` };
    }
    case "data_export_ready":
      return { title: "Your data", body: "Your data export is ready to download" };
    default:
      return { title: "Companion", body: "You have a new notification" };
  }
}
