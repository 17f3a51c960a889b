import type { ChatMessage } from "./types.ts";

/**
 * Rough token estimate without shipping a tokenizer: English BPE averages about four
 * ASCII characters per token, while CJK text and emoji cost about one token per UTF-16
 * unit. Over-estimating is the safe side here: it only trims a little more context.
 * The estimate is sub-additive (estimate(a + b) <= estimate(a) + estimate(b)), which is
 * what lets the prompt builder budget parts separately and still bound the whole.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}

/** Chat framing (role, separators) costs a few tokens per message on OpenAI models. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) total += estimateTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}

const ELLIPSIS = "…";

/**
 * Longest prefix of `text` (plus an ellipsis when cut) whose estimate fits `maxTokens`.
 * Binary search keeps this exact for the heuristic above instead of guessing a char ratio.
 */
export function truncateToTokens(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  if (maxTokens <= 1) return "";
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (estimateTokens(text.slice(0, mid) + ELLIPSIS) <= maxTokens) low = mid;
    else high = mid - 1;
  }
  return low === 0 ? "" : text.slice(0, low).trimEnd() + ELLIPSIS;
}
