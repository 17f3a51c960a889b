import { findReply, withUser, type Database, type StoredChatMessage } from "@companion/db";
import type { Exchange } from "./chat.ts";

export interface AwaitReplyOptions {
  db: Database;
  userId: string;
  userMessage: StoredChatMessage;
  /** See ChatServiceOptions.staleAfterMs. */
  staleAfterMs: number;
  /** Answers an orphaned message; its save is idempotent, so a lost race returns the winner's reply. */
  takeOver: () => Promise<Exchange>;
  signal?: AbortSignal;
}

const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 500;

/**
 * For a retry of a message another call is answering: polls (with growing pauses) for
 * the reply that call will save, which works across server processes as well. Returns
 * null if `signal` aborts first. A message still unanswered `staleAfterMs` after it was
 * saved, by the database clock, is taken over instead of waited for forever.
 */
export async function awaitReply(options: AwaitReplyOptions): Promise<Exchange | null> {
  const { db, userId, userMessage, signal } = options;
  let pause = FIRST_POLL_MS;
  for (;;) {
    if (signal?.aborted) return null;
    const found = await withUser(db, userId, (tx) => findReply(tx, { userId, messageId: userMessage.id }));
    if (found.reply) return { userMessage, reply: found.reply };
    const untilStale = options.staleAfterMs - found.messageAgeMs;
    if (untilStale <= 0) return options.takeOver();
    await sleep(Math.min(pause, untilStale), signal);
    pause = Math.min(MAX_POLL_MS, Math.round(pause * 1.5));
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
