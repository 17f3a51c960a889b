import { describe, expect, it } from "vitest";
import { createChatChainFromConfig, createProvidersFromConfig, parseAiEnv } from "./config.ts";

describe("parseAiEnv", () => {
  it("defaults to gpt-4o-mini and an offline-only chain without key or fallbacks", async () => {
    const config = parseAiEnv({ OPENAI_API_KEY: "" });
    expect(config).toMatchObject({
      openai: { apiKey: undefined, model: "gpt-4o-mini", baseURL: "https://api.openai.com/v1" },
      timeoutMs: 20_000,
      maxRetries: 1,
      fallbackProviders: [],
      breaker: { failureThreshold: 3, cooldownMs: 30_000 },
    });
    expect(createProvidersFromConfig(config)).toEqual([]);
    const reply = await createChatChainFromConfig(config, { offlineSeed: 1 }).complete({
      messages: [{ role: "user", content: "hello" }],
      maxTokens: 20,
    });
    expect(reply.provider).toBe("offline");
  });

  it("reads numbers, the key and a JSON list of compatible fallbacks, in order", () => {
    const config = parseAiEnv({
      OPENAI_API_KEY: "sk-test",
      OPENAI_MODEL: "gpt-4.1-mini",
      AI_TIMEOUT_MS: "5000",
      AI_MAX_RETRIES: "0",
      AI_BREAKER_FAILURES: "5",
      AI_FALLBACK_PROVIDERS: JSON.stringify([
        { name: "groq", baseURL: "https://api.groq.com/openai/v1", model: "llama-3.1-8b-instant", apiKey: "gsk" },
        { name: "ollama", baseURL: "http://127.0.0.1:11434/v1", model: "llama3.2" },
      ]),
    });
    expect(config).toMatchObject({ timeoutMs: 5_000, maxRetries: 0, breaker: { failureThreshold: 5 } });
    const providers = createProvidersFromConfig(config);
    expect(providers.map((p) => [p.name, p.model, p.timeoutMs])).toEqual([
      ["openai", "gpt-4.1-mini", 5_000],
      ["groq", "llama-3.1-8b-instant", 5_000],
      ["ollama", "llama3.2", 5_000],
    ]);
  });

  it("rejects malformed values with the variable named", () => {
    expect(() => parseAiEnv({ AI_FALLBACK_PROVIDERS: "[{" })).toThrow(/AI_FALLBACK_PROVIDERS/);
    expect(() => parseAiEnv({ AI_FALLBACK_PROVIDERS: '[{"name":"x"}]' })).toThrow(/baseURL/);
    expect(() => parseAiEnv({ AI_TIMEOUT_MS: "soon" })).toThrow(/timeoutMs/);
  });
});
