"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useEffect, useLayoutEffect, useRef } from "react";
import { Avatar } from "@/components/companions/avatar";
import { Composer } from "@/components/chat/composer";
import { MessageItem } from "@/components/chat/message-item";
import { ReplyRegion } from "@/components/chat/reply-region";
import { useReplyStream } from "@/components/chat/use-reply-stream";
import { ErrorMessage } from "@/components/query-state";
import { useClient, useTRPC } from "@/lib/trpc";

const PAGE_SIZE = 30;

/**
 * A conversation: the history (messages.list, newest page first, older pages prepended when the
 * top comes into view or on "Load earlier messages"), the composer, and the reply streaming in
 * (messages.start then messages.stream). Opening it marks it read (messages.markRead).
 */
export default function ConversationPage() {
  const { companionId } = useParams<{ companionId: string }>();
  const trpc = useTRPC();
  const client = useClient();
  const queryClient = useQueryClient();
  const companion = useQuery(trpc.companions.byId.queryOptions({ companionId }));
  const history = useInfiniteQuery(
    trpc.messages.list.infiniteQueryOptions({ companionId, limit: PAGE_SIZE }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const { stream, run, stop } = useReplyStream();
  const markRead = useMutation(
    trpc.messages.markRead.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.messages.conversations.pathKey() }) }),
  );
  const remove = useMutation(trpc.messages.delete.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.messages.pathKey() }) }));

  // Newest first from the API; shown oldest first.
  const newestFirst = history.data?.pages.flatMap((page) => page.items) ?? [];
  const items = [...newestFirst].reverse();
  const newestId = newestFirst[0]?.id;

  // Read when opened, and again whenever a newer message shows up while it is open.
  const { mutate: markReadMutate } = markRead;
  useEffect(() => {
    if (newestId) markReadMutate({ companionId });
  }, [companionId, newestId, markReadMutate]);

  // My last exchange: my newest message and, if it is right after it, its reply.
  const lastUserIndex = newestFirst.findIndex((m) => m.role === "user");
  const lastUser = lastUserIndex >= 0 && lastUserIndex <= 1 ? newestFirst[lastUserIndex] : undefined;
  const lastReply = lastUserIndex === 1 && newestFirst[0]?.role === "assistant" ? newestFirst[0] : undefined;
  const streaming = stream.state === "streaming" || stream.state === "starting";

  // Scrolling: stick to the bottom for new messages; keep the place when older ones are prepended.
  const log = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const heightBeforePrepend = useRef<number | null>(null);
  const loadEarlier = () => {
    if (!history.hasNextPage || history.isFetchingNextPage) return;
    heightBeforePrepend.current = log.current?.scrollHeight ?? null;
    void history.fetchNextPage();
  };
  const streamText = "text" in stream ? stream.text : "";
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    if (heightBeforePrepend.current !== null) {
      el.scrollTop += el.scrollHeight - heightBeforePrepend.current;
      heightBeforePrepend.current = null;
    } else {
      el.scrollTop = el.scrollHeight;
    }
  }, [items.length, streamText]);
  useEffect(() => {
    const sentinel = top.current;
    if (!sentinel || !log.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadEarlier(), { root: log.current });
    observer.observe(sentinel);
    return () => observer.disconnect();
  });

  const name = companion.data?.name ?? "Companion";
  const key = () => crypto.randomUUID();

  return (
    <section className="chat">
      <header className="chat__header">
        <Link href="/chats" aria-label="Back to chats">
          ←
        </Link>
        {companion.data ? <Avatar url={companion.data.avatarUrl} name={name} size={40} /> : null}
        <h1>{companion.data ? <Link href={`/companions/${companionId}`}>{name}</Link> : "Chat"}</h1>
      </header>
      <ErrorMessage error={companion.error} />
      <div className="chat__log" ref={log} role="log" aria-label={`Conversation with ${name}`} tabIndex={0}>
        <div ref={top} />
        {history.hasNextPage ? (
          <button type="button" className="button button--secondary button--small chat__earlier" disabled={history.isFetchingNextPage} onClick={loadEarlier}>
            {history.isFetchingNextPage ? "Loading…" : "Load earlier messages"}
          </button>
        ) : null}
        {history.isPending ? <p role="status">Loading messages…</p> : null}
        <ErrorMessage error={history.error} />
        {history.isSuccess && items.length === 0 && stream.state === "idle" ? <p className="muted">No messages yet. Say hello!</p> : null}
        {items.map((item) => {
          const isLastUser = item.id === lastUser?.id;
          const isLastReply = item.id === lastReply?.id;
          return (
            <MessageItem
              key={item.id}
              item={item}
              companionName={name}
              controls={{
                locked: streaming || remove.isPending,
                ...(isLastReply
                  ? { onRegenerate: () => void run(lastUser?.content ?? "", () => client.messages.regenerate.mutate({ companionId, messageId: item.id, idempotencyKey: key() })) }
                  : {}),
                ...(isLastUser ? { onEdit: (content: string) => run(content, () => client.messages.edit.mutate({ messageId: item.id, content, idempotencyKey: key() })) } : {}),
                ...(item.role === "user" ? { onDelete: () => window.confirm("Delete this message and its reply?") && remove.mutate({ messageId: item.id }) } : {}),
              }}
            />
          );
        })}
        <ReplyRegion stream={stream} companionName={name} replyShown={stream.state === "done" && newestFirst.some((m) => m.id === stream.replyId)} />
      </div>
      <ErrorMessage error={remove.error} />
      <Composer
        streaming={stream.state === "streaming"}
        busy={stream.state === "starting"}
        onStop={stop}
        onSend={(content) => run(content, () => client.messages.start.mutate({ companionId, content, idempotencyKey: key() }))}
      />
    </section>
  );
}
