import { z } from "zod";
import { type ChatChain, type ChatChainOptions, createChatChain } from "./chain.ts";
import { createOfflinePersona } from "./offline.ts";
import { createOpenAIProvider } from "./provider.ts";
import type { ChatProvider } from "./types.ts";

const fallbackProviderSchema = z.object({
  name: z.string().min(1),
  baseURL: z.url(),
  model: z.string().min(1),
  /** Ollama and vLLM usually need none. */
  apiKey: z.string().min(1).optional(),
});

const ms = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * Configuration of the AI layer. Defaults favour a chat UI: an attempt gets 20 s, one
 * retry for transient failures, and a whole reply (all providers) gives up on the network
 * after 30 s and answers offline.
 */
const aiConfigSchema = z.object({
  openai: z.object({
    apiKey: z.string().min(1).optional(),
    baseURL: z.url().default("https://api.openai.com/v1"),
    model: z.string().min(1).default("gpt-4o-mini"),
  }),
  /** Search embeddings (docs/search.md): off unless a model is named. */
  embedding: z.object({
    model: z.string().min(1).optional(),
    dimensions: z.coerce.number().int().min(1).max(4096).optional(),
  }),
  timeoutMs: ms(20_000, 600_000),
  maxRetries: z.coerce.number().int().min(0).max(5).default(1),
  deadlineMs: ms(30_000, 600_000),
  fallbackProviders: z.array(fallbackProviderSchema).default([]),
  breaker: z.object({
    failureThreshold: z.coerce.number().int().min(1).max(100).default(3),
    cooldownMs: ms(30_000, 3_600_000),
  }),
  /** A pause between the offline persona's words, so a demo (and the browser tests) see a reply
   * grow the way a model's does; 0 (the default) streams them at once. */
  offlineTokenDelayMs: z.coerce.number().int().min(0).max(1000).default(0),
});

export type AiConfig = z.infer<typeof aiConfigSchema>;

/** Unset and empty mean the same: deployment templates often export `VAR=`. */
const read = (env: Record<string, string | undefined>, key: string): string | undefined => {
  const value = env[key]?.trim();
  return value === undefined || value === "" ? undefined : value;
};

function parseFallbackList(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new Error("AI_FALLBACK_PROVIDERS must be a JSON array of {name, baseURL, model, apiKey?}", { cause: err });
  }
}

/**
 * Reads the AI settings (OPENAI_*, AI_*; docs/ai.md) from the env-like object the app passes: this
 * package never reads process.env. Throws a ZodError naming the bad variable.
 */
export function parseAiEnv(env: Record<string, string | undefined>): AiConfig {
  return aiConfigSchema.parse({
    openai: {
      apiKey: read(env, "OPENAI_API_KEY"),
      baseURL: read(env, "OPENAI_BASE_URL"),
      model: read(env, "OPENAI_MODEL"),
    },
    embedding: {
      model: read(env, "OPENAI_EMBEDDING_MODEL"),
      dimensions: read(env, "OPENAI_EMBEDDING_DIMENSIONS"),
    },
    timeoutMs: read(env, "AI_TIMEOUT_MS"),
    maxRetries: read(env, "AI_MAX_RETRIES"),
    deadlineMs: read(env, "AI_DEADLINE_MS"),
    fallbackProviders: parseFallbackList(read(env, "AI_FALLBACK_PROVIDERS")),
    breaker: {
      failureThreshold: read(env, "AI_BREAKER_FAILURES"),
      cooldownMs: read(env, "AI_BREAKER_COOLDOWN_MS"),
    },
    offlineTokenDelayMs: read(env, "AI_OFFLINE_TOKEN_DELAY_MS"),
  });
}

/**
 * The network providers in fallback order: OpenAI when a key is set, then the configured
 * fallbacks. An empty list means the chain answers offline only.
 */
export function createProvidersFromConfig(config: AiConfig): ChatProvider[] {
  const { timeoutMs, maxRetries } = config;
  const providers: ChatProvider[] = [];
  if (config.openai.apiKey !== undefined) {
    providers.push(createOpenAIProvider({ name: "openai", ...config.openai, timeoutMs, maxRetries }));
  }
  for (const fallback of config.fallbackProviders) {
    providers.push(createOpenAIProvider({ ...fallback, timeoutMs, maxRetries }));
  }
  return providers;
}

/** The usual wiring: providers from config, the offline persona last, breakers and budget from config. */
export function createChatChainFromConfig(
  config: AiConfig,
  options: Pick<ChatChainOptions, "onCall" | "random"> & { offlineSeed?: number } = {},
): ChatChain {
  return createChatChain({
    providers: createProvidersFromConfig(config),
    offline: createOfflinePersona({
      ...(options.offlineSeed === undefined ? {} : { seed: options.offlineSeed }),
      tokenDelayMs: config.offlineTokenDelayMs,
    }),
    breaker: config.breaker,
    budget: { deadlineMs: config.deadlineMs },
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
}

/** Whether any network model is configured (else every answer comes from the offline persona). */
export const hasNetworkProvider = (ai: AiConfig): boolean => ai.openai.apiKey !== undefined || ai.fallbackProviders.length > 0;
