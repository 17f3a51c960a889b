import { createOpenAIProvider } from "../provider.ts";
import type { ChatProvider } from "../types.ts";
import { type FakeBehavior, type FakeOpenAIServer, createFakeOpenAIServer } from "./fake-openai.ts";

export interface FakeProvider {
  fake: FakeOpenAIServer;
  provider: ChatProvider;
  close(): Promise<void>;
}

/**
 * A real `createOpenAIProvider` pointed at its own fake server, for tests of code that
 * takes a provider or a chain (the API's chat procedures, the worker's summaries).
 */
export async function startFakeProvider(
  name: string,
  options: { behavior?: FakeBehavior; timeoutMs?: number; maxRetries?: number; model?: string } = {},
): Promise<FakeProvider> {
  const fake = createFakeOpenAIServer(options.behavior);
  const { url, close } = await fake.start();
  const provider = createOpenAIProvider({
    name,
    apiKey: "test-key",
    baseURL: url,
    model: options.model ?? "gpt-4o-mini",
    timeoutMs: options.timeoutMs ?? 300,
    maxRetries: options.maxRetries ?? 0,
  });
  // The first request of a process pays for loading and connecting (hundreds of ms on a
  // busy machine), which would trip the short timeouts tests use. Pay it here, untimed.
  const behavior = options.behavior ?? { mode: "ok" };
  fake.setBehavior({ mode: "ok" });
  await provider.complete({ messages: [{ role: "user", content: "warm up" }], maxTokens: 1, timeoutMs: 30_000 });
  fake.setBehavior(behavior);
  fake.resetCounters();
  return { fake, provider, close };
}
