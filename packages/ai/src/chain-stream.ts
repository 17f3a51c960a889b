import { startDeadline } from "./budget.ts";
import type { ChainStreamEvent, ChainStreamRequest } from "./chain-types.ts";
import {
  type ChainContext,
  type ChainEntry,
  MIN_ATTEMPT_MS,
  NO_USAGE,
  asProviderError,
  circuitOpenError,
  settle,
  waitForRetry,
} from "./chain-context.ts";
import type { ProviderErrorKind } from "./errors.ts";
import { estimateMessagesTokens, estimateTokens } from "./tokens.ts";
import type { ChatProvider, Usage } from "./types.ts";

type FallbackEvent = Extract<ChainStreamEvent, { type: "fallback" }>;

/**
 * Streaming through the chain. A failed attempt restarts the reply (no model resumes another's half
 * sentence), so `fallback.discardPartial` tells the client to drop what it showed; the event is sent as
 * the next attempt starts, so `to` names who answers.
 */
export async function* streamThroughChain(
  ctx: ChainContext,
  request: ChainStreamRequest,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChainStreamEvent> {
  const deadline = startDeadline(Math.min(ctx.budget.deadlineMs, request.deadlineMs ?? Infinity));
  // A stream is chat, whose last resort is the offline persona.
  ctx.offline.prepare?.();
  const promptTokens = estimateMessagesTokens(request.messages);
  // What the client is displaying: tokens since the last fallback event.
  let visible = "";
  let pending: Omit<FallbackEvent, "to" | "type"> | undefined;
  // An attempt of this request failed or was skipped: every later one is a fallback.
  let failedBefore = false;
  // Set while an attempt runs, so an early `return()` by the consumer still gets recorded.
  let inFlight: Attempt | undefined;

  const fallbackTo = (to: string): FallbackEvent | undefined => {
    if (!pending) return undefined;
    const event: FallbackEvent = { type: "fallback", to, ...pending };
    pending = undefined;
    if (event.discardPartial) visible = "";
    return event;
  };
  const failedUsage = (text: string): Usage =>
    // Tokens already streamed were almost certainly billed, usage chunk or not.
    text === "" ? NO_USAGE : { promptTokens, completionTokens: estimateTokens(text) };

  try {
    if (signal?.aborted) {
      yield { type: "aborted", text: "" };
      return;
    }
    providers: for (const entry of ctx.entries) {
      const { provider } = entry;
      for (let retries = 0; ; retries++) {
        if (deadline.remaining() < MIN_ATTEMPT_MS) break providers;
        if (!entry.breaker.tryAcquire()) {
          const err = circuitOpenError(provider.name);
          ctx.record(provider, "chat", "circuit_open", NO_USAGE, 0, { error: err, fallback: failedBefore });
          pending ??= { from: provider.name, reason: "circuit_open", discardPartial: false };
          failedBefore = true;
          continue providers;
        }
        const fallback = fallbackTo(provider.name);
        if (fallback) yield fallback;

        const attempt: Attempt = { entry, startedAt: performance.now(), text: "", firstTokenMs: undefined, fallback: failedBefore };
        inFlight = attempt;
        let usage: Usage | undefined;
        try {
          const timeoutMs = Math.min(provider.timeoutMs, deadline.remaining());
          for await (const chunk of provider.stream({ ...request, signal, timeoutMs, idleTimeoutMs: provider.timeoutMs })) {
            if (chunk.type === "usage") {
              usage = { promptTokens: chunk.promptTokens, completionTokens: chunk.completionTokens };
              continue;
            }
            attempt.firstTokenMs ??= performance.now() - attempt.startedAt;
            attempt.text += chunk.text;
            visible += chunk.text;
            yield { type: "token", text: chunk.text };
          }
          inFlight = undefined;
          const finalUsage = usage ?? { promptTokens, completionTokens: estimateTokens(attempt.text) };
          settle(ctx, entry, "chat", "ok", finalUsage, attempt.startedAt, details(attempt));
          yield done(attempt.text, provider, finalUsage);
          return;
        } catch (caught) {
          inFlight = undefined;
          const err = asProviderError(caught, provider.name);
          settle(ctx, entry, "chat", err.kind, failedUsage(attempt.text), attempt.startedAt, { ...details(attempt), error: err });
          failedBefore = true;
          if (signal?.aborted) {
            yield { type: "aborted", text: visible };
            return;
          }
          pending = { from: provider.name, reason: err.kind, discardPartial: visible !== "" };
          let retry: boolean;
          try {
            retry = await waitForRetry(ctx, entry, err, retries, deadline.remaining(), signal);
          } catch {
            // Only an abort can interrupt the backoff wait.
            yield { type: "aborted", text: visible };
            return;
          }
          if (!retry) continue providers;
        }
      }
    }

    yield* streamOffline(ctx, request, signal, {
      fallback: fallbackTo(ctx.offline.name),
      visible: () => visible,
      onToken: (text) => (visible += text),
    });
  } finally {
    if (inFlight) {
      // The consumer stopped iterating mid-attempt; leaving the for-await already aborted upstream.
      const { entry, startedAt, text } = inFlight;
      settle(ctx, entry, "chat", "aborted", failedUsage(text), startedAt, details(inFlight));
    }
  }
}

async function* streamOffline(
  ctx: ChainContext,
  request: ChainStreamRequest,
  signal: AbortSignal | undefined,
  state: { fallback: FallbackEvent | undefined; visible: () => string; onToken: (text: string) => void },
): AsyncGenerator<ChainStreamEvent> {
  const { offline } = ctx;
  if (state.fallback) yield state.fallback;
  const startedAt = performance.now();
  let text = "";
  let firstTokenMs: number | undefined;
  let outcome: "ok" | ProviderErrorKind = "ok";
  try {
    for await (const chunk of offline.stream({ ...request, signal })) {
      if (chunk.type !== "delta") continue;
      firstTokenMs ??= performance.now() - startedAt;
      text += chunk.text;
      state.onToken(chunk.text);
      yield { type: "token", text: chunk.text };
    }
  } catch (caught) {
    outcome = asProviderError(caught, offline.name).kind;
  }
  // Reached only when no network provider answered, if there is one.
  ctx.record(offline, "chat", outcome, NO_USAGE, performance.now() - startedAt, { firstTokenMs, fallback: ctx.entries.length > 0 });
  if (outcome === "ok") yield done(text, offline, NO_USAGE);
  else yield { type: "aborted", text: state.visible() };
}

interface Attempt {
  entry: ChainEntry;
  startedAt: number;
  text: string;
  firstTokenMs: number | undefined;
  fallback: boolean;
}

const details = (attempt: Attempt) => ({ firstTokenMs: attempt.firstTokenMs, fallback: attempt.fallback });

function done(text: string, provider: ChatProvider, usage: Usage): ChainStreamEvent {
  return { type: "done", text, provider: provider.name, model: provider.model, usage };
}
