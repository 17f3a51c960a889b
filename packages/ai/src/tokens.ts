import type { ChatMessage } from "./types.ts";

/**
 * Rough token estimate without a tokenizer (about 4 ASCII characters a token, 1 per other UTF-16 unit);
 * over-estimating only trims more context. Sub-additive, so parts budgeted apart still bound the whole.
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
