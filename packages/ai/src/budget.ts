import { ProviderError } from "./errors.ts";

/** How one chain call spends its time. */
export interface BudgetOptions {
  /** Hard limit for the whole call: no network attempt starts, or waits, past it. */
  deadlineMs: number;
  /** First retry waits about this long; each later one doubles, jittered, up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_BUDGET: BudgetOptions = { deadlineMs: 30_000, baseBackoffMs: 100, maxBackoffMs: 1_000 };

export interface Deadline {
  remaining(): number;
}

export function startDeadline(ms: number, now: () => number = Date.now): Deadline {
  const end = now() + ms;
  return { remaining: () => Math.max(0, end - now()) };
}

/**
 * Exponential backoff with jitter in [50%, 100%] of the step, so that many conversations
 * hitting the same failing provider do not retry in lock-step.
 */
export function backoffDelay(retryIndex: number, options: BudgetOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxBackoffMs, options.baseBackoffMs * 2 ** retryIndex);
  return Math.round(step * (0.5 + random() / 2));
}

/**
 * Whether to try the same provider again after `err`. Only transient kinds are retried,
 * and only when the wait plus a useful attempt still fits before the deadline; otherwise
 * the next provider (or the offline fallback) is the better use of the time left.
 */
export function shouldRetry(
  err: ProviderError,
  retriesSoFar: number,
  maxRetries: number,
  delayMs: number,
  remainingMs: number,
  minAttemptMs: number,
): boolean {
  if (!err.retryable || retriesSoFar >= maxRetries) return false;
  const wait = Math.max(delayMs, err.retryAfterMs ?? 0);
  return wait + minAttemptMs <= remainingMs;
}

/** Waits `ms`, or rejects with an `aborted` ProviderError as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new ProviderError("aborted", "aborted by caller", false, undefined, { cause: signal?.reason });
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
