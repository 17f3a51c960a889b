import { takeTurn, type OpenDeps, type TurnToAnswer } from "./chat-open.ts";

const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 500;

type Ready = Exclude<TurnToAnswer, { kind: "busy" }>;

/**
 * For a message another live process is answering (a retry, or a stream that reached
 * another server): polls, with growing pauses, until its reply is saved or the message
 * becomes ours to answer (that process's lease lapsed: it died). Null if `signal` aborts first.
 */
export async function waitForTurn(
  deps: OpenDeps,
  params: { userId: string; messageId: string; owner: string; staleAfterMs: number },
  signal?: AbortSignal,
  /** Called once the message is known to be mine (the first look did not throw NOT_FOUND). */
  onFound?: () => void,
): Promise<Ready | null> {
  let pause = FIRST_POLL_MS;
  for (;;) {
    if (signal?.aborted) return null;
    const turn = await takeTurn(deps, params);
    onFound?.();
    if (turn.kind !== "busy") return turn;
    await sleep(pause, signal);
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
