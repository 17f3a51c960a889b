import type { Usage } from "./types.ts";

/**
 * USD per million tokens, [input, output], from OpenAI's public list prices. An estimate
 * for dashboards and budgets, not an invoice: update it when prices change. Models not
 * listed (self-hosted, unknown vendors) cost 0 rather than a guess.
 */
const MODEL_PRICES_PER_MILLION: Readonly<Record<string, readonly [number, number]>> = {
  "gpt-4o-mini": [0.15, 0.6],
  "gpt-4o": [2.5, 10],
  "gpt-4.1-nano": [0.1, 0.4],
  "gpt-4.1-mini": [0.4, 1.6],
  "gpt-4.1": [2, 8],
  "gpt-3.5-turbo": [0.5, 1.5],
};

// Longest first, so a dated snapshot like "gpt-4o-mini-2024-07-18" matches "gpt-4o-mini", not "gpt-4o".
const prefixes = Object.keys(MODEL_PRICES_PER_MILLION).sort((a, b) => b.length - a.length);

export function estimateCostUsd(model: string, usage: Usage): number {
  const key = prefixes.find((prefix) => model === prefix || model.startsWith(`${prefix}-`));
  const price = key === undefined ? undefined : MODEL_PRICES_PER_MILLION[key];
  if (!price) return 0;
  const cost = (usage.promptTokens * price[0] + usage.completionTokens * price[1]) / 1_000_000;
  // Six decimals is what the ai_calls.cost_usd column keeps.
  return Math.round(cost * 1e6) / 1e6;
}
