"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ConversationRow } from "@/components/chat/conversation-row";
import { ErrorMessage, LoadMore } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

const PAGE_SIZE = 20;

/** My conversations, most recent first (messages.conversations, keyset pages), each with its unread count. */
export default function ChatsPage() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.messages.conversations.infiniteQueryOptions({ limit: PAGE_SIZE }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const conversations = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="stack">
      <div className="actions actions--spread">
        <h1>Chats</h1>
        <Link href="/search">Search messages and memories</Link>
      </div>
      {list.isPending ? <p role="status">Loading conversations…</p> : null}
      <ErrorMessage error={list.error} />
      {list.isSuccess && conversations.length === 0 ? (
        <p>
          No conversations yet. <Link href="/companions">Find a companion</Link> and say hello.
        </p>
      ) : null}
      <ul className="conversation-list" aria-label="Conversations">
        {conversations.map((conversation) => (
          <li key={conversation.companion.id}>
            <ConversationRow conversation={conversation} />
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
    </section>
  );
}
