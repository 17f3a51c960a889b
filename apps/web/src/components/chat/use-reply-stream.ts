"use client";
import type { RouterOutputs } from "@companion/client";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { chatErrorMessage } from "@/lib/api-errors";
import { useClient, useTRPC } from "@/lib/trpc";

type Started = RouterOutputs["messages"]["start"];

/** What the live reply region shows. `tokens` counts token events (the e2e test reads it). */
export type ReplyStream =
  | { state: "idle" }
  | { state: "starting"; pendingText: string }
  | { state: "streaming" | "done" | "stopped"; text: string; tokens: number; degraded: boolean; replyId: string | null }
  | { state: "error"; message: string };

/**
 * One reply at a time: `run(start)` calls a mutation that answers `{ userMessage, streamTicket }`
 * (messages.start, regenerate, edit), then subscribes to messages.stream for that message and
 * grows `text` token by token (docs/ai.md#streaming-events). `stop()` leaves the stream: the
 * server saves what arrived as a `partial` reply. The history is refetched once it ends.
 */
export function useReplyStream() {
  const client = useClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [stream, setStream] = useState<ReplyStream>({ state: "idle" });
  const subscription = useRef<{ unsubscribe: () => void } | null>(null);

  const refresh = useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.messages.pathKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.memories.pathKey() }),
      ]),
    [queryClient, trpc],
  );

  // Leaving the screen leaves the stream (the reply is still saved by the server).
  useEffect(() => () => subscription.current?.unsubscribe(), []);

  const run = useCallback(
    async (pendingText: string, start: () => Promise<Started>): Promise<boolean> => {
      subscription.current?.unsubscribe();
      setStream({ state: "starting", pendingText });
      let started: Started;
      try {
        started = await start();
      } catch (err) {
        setStream({ state: "error", message: chatErrorMessage(err) });
        return false;
      }
      // My message is saved: show it in the history while the reply streams under it.
      void refresh();
      setStream({ state: "streaming", text: "", tokens: 0, degraded: false, replyId: null });
      subscription.current = client.messages.stream.subscribe(
        { messageId: started.userMessage.id },
        {
          onData: (event) => {
            setStream((s) => {
              if (s.state !== "streaming") return s;
              if (event.type === "token") return { ...s, text: s.text + event.text, tokens: s.tokens + 1 };
              // A new attempt that does not continue the old text: drop what was shown.
              if (event.type === "fallback") return event.discardPartial ? { ...s, text: "" } : s;
              return { ...s, state: "done", text: event.reply.content, degraded: event.degraded === "quota", replyId: event.reply.id };
            });
            if (event.type === "done") {
              subscription.current?.unsubscribe();
              subscription.current = null;
              void refresh();
            }
          },
          onError: (err) => {
            subscription.current = null;
            setStream({ state: "error", message: chatErrorMessage(err) });
            void refresh();
          },
        },
      );
      return true;
    },
    [client, refresh],
  );

  const stop = useCallback(() => {
    subscription.current?.unsubscribe();
    subscription.current = null;
    setStream((s) => (s.state === "streaming" ? { ...s, state: "stopped" } : s));
    // The server saves the partial reply once it notices the subscriber left: refetch a moment
    // later, then let the history show it (unless another reply started meanwhile).
    setTimeout(() => void refresh().then(() => setStream((s) => (s.state === "stopped" ? { state: "idle" } : s))), 500);
  }, [refresh]);

  const reset = useCallback(() => setStream({ state: "idle" }), []);

  return { stream, run, stop, reset };
}
