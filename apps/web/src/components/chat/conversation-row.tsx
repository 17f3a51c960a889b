import type { RouterOutputs } from "@companion/client";
import Link from "next/link";
import { Avatar } from "@/components/companions/avatar";

type Conversation = RouterOutputs["messages"]["conversations"]["items"][number];

/** The API caps unread counts at 100 (UNREAD_COUNT_CAP): 100 means "more than 99". */
const unreadLabel = (n: number) => (n >= 100 ? "99+" : String(n));

/** One inbox row: avatar, name, the last message (mine prefixed "You:"), unread badge; links to the chat. */
export function ConversationRow({ conversation }: { conversation: Conversation }) {
  const { companion, lastMessage, unreadCount } = conversation;
  const preview = lastMessage ? `${lastMessage.role === "user" ? "You: " : ""}${lastMessage.content}` : "No messages yet";
  return (
    <Link href={`/chats/${companion.id}`} className="conversation-row">
      <Avatar url={companion.avatarUrl} name={companion.name} size={48} />
      <span className="conversation-row__body">
        <span className="conversation-row__name">{companion.name}</span>
        <span className="conversation-row__preview muted">{preview}</span>
      </span>
      <time className="muted small" dateTime={conversation.lastMessageAt}>
        {new Date(conversation.lastMessageAt).toLocaleDateString()}
      </time>
      {unreadCount > 0 ? (
        <span className="badge" aria-label={`${unreadLabel(unreadCount)} unread`}>
          {unreadLabel(unreadCount)}
        </span>
      ) : null}
    </Link>
  );
}
