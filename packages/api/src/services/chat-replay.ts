import { takeTurn, type OpenDeps, type TurnToAnswer } from "./chat-open.ts";

const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 500;
const RELAYED_POLL_MS = 1_000;

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
  /** Cuts one pause short when it resolves: the writer says its reply is saved. */
  wake?: Promise<void>,
  /** The caller's own first look, already `busy`: the loop starts with a pause instead of asking again. */
  seenBusy = false,
): Promise<Ready | null> {
  // While the writer relays its events (wake given), polling only guards against its death.
  let pause = wake ? RELAYED_POLL_MS : FIRST_POLL_MS;
  let woken = false;
  void wake?.then(() => (woken = true));
  for (let first = true; ; first = false) {
    if (signal?.aborted) return null;
    if (!(first && seenBusy)) {
      const turn = await takeTurn(deps, params);
      if (turn.kind !== "busy") return turn;
    }
    await (woken || !wake ? sleep(pause, signal) : Promise.race([sleep(pause, signal), wake]));
    pause = Math.max(pause, Math.min(MAX_POLL_MS, Math.round(pause * 1.5)));
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
