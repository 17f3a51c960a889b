import { type AbortCause, ProviderError } from "./errors.ts";

/**
 * The abort controller of one network attempt: it fires on the caller's signal or on our
 * own timer, and remembers which, because the SDK reports both as the same abort.
 */
export interface Attempt {
  readonly signal: AbortSignal;
  readonly cause: AbortCause;
  /** (Re)starts the timer; streaming re-arms it after every chunk as an idle timeout. */
  arm(ms: number): void;
  /** Stops the timer while the consumer, not the network, is the slow side. */
  disarm(): void;
  /** The SDK ends a stream quietly when aborted, so callers must check after iterating. */
  throwIfAborted(provider: string): void;
  dispose(): void;
}

export function startAttempt(callerSignal: AbortSignal | undefined, timeoutMs: number): Attempt {
  const controller = new AbortController();
  const cause: AbortCause = { timedOut: false, callerAborted: false };
  let timer: ReturnType<typeof setTimeout> | undefined;

  const onCallerAbort = () => {
    cause.callerAborted = true;
    controller.abort(callerSignal?.reason);
  };
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });

  // One timer for the attempt, restarted with refresh(): streaming re-arms it on every
  // chunk, and a new timer per token is measurable at fifty concurrent streams. Disarmed, it
  // may still run out, but does nothing.
  let armed = false;
  let armedMs = 0;
  const fire = () => {
    if (!armed || controller.signal.aborted) return;
    cause.timedOut = true;
    controller.abort(new Error(`timed out after ${armedMs} ms`));
  };
  const disarm = () => {
    armed = false;
  };
  const arm = (ms: number) => {
    armed = true;
    if (timer !== undefined && ms === armedMs) {
      timer.refresh();
      return;
    }
    clearTimeout(timer);
    armedMs = ms;
    timer = setTimeout(fire, ms);
  };
  arm(timeoutMs);

  return {
    signal: controller.signal,
    cause,
    arm,
    disarm,
    throwIfAborted(provider) {
      if (cause.timedOut) throw new ProviderError("timeout", `${provider}: timed out`, true, provider);
      if (cause.callerAborted) throw new ProviderError("aborted", `${provider}: aborted by caller`, false, provider);
    },
    dispose() {
      disarm();
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}
