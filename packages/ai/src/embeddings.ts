import type OpenAI from "openai";
import { startAttempt } from "./attempt.ts";
import { emitCallRecord } from "./call-record.ts";
import type { AiConfig } from "./config.ts";
import { classifyError } from "./errors.ts";
import { loadOpenAI } from "./openai-sdk.ts";
import { estimateTokens } from "./tokens.ts";
import type { OnCall } from "./types.ts";

/** Embeds texts with the configured OpenAI-compatible model (docs/search.md, "Hybrid"). */
export interface Embedder {
  /** Stored next to each vector: rows of another model are never compared with this one's. */
  readonly model: string;
  /** One vector per text, in order; throws a ProviderError on failure. `tag` goes to the call record. */
  embed(texts: string[], options?: { signal?: AbortSignal; tag?: unknown; timeoutMs?: number }): Promise<number[][]>;
}

const PLACEHOLDER_KEY = "not-needed";
const SDK_TIMEOUT_MARGIN_MS = 1_000;

/**
 * The embedder of OPENAI_EMBEDDING_MODEL at OPENAI_BASE_URL, or null when none is set: search
 * is then full-text only. Every call is recorded through `onCall` with purpose "embedding".
 */
export function createEmbedderFromConfig(config: AiConfig, options: { onCall?: OnCall } = {}): Embedder | null {
  const { model, dimensions } = config.embedding;
  if (model === undefined) return null;
  // The SDK loads now, where this is configured, not at startup everywhere (openai-sdk.ts).
  const made: Promise<OpenAI> = loadOpenAI().then(
    (sdk) =>
      new sdk.OpenAI({
        apiKey: config.openai.apiKey ?? PLACEHOLDER_KEY,
        baseURL: config.openai.baseURL,
        organization: null,
        project: null,
        webhookSecret: null,
        adminAPIKey: null,
        timeout: config.timeoutMs + SDK_TIMEOUT_MARGIN_MS,
        maxRetries: 0,
        logLevel: "warn",
      }),
  );
  // A failure to load shows on the first call.
  made.catch(() => undefined);
  const provider = { name: "openai", model };
  return {
    model,
    async embed(texts, opts = {}) {
      const limit = opts.timeoutMs ?? config.timeoutMs;
      const attempt = startAttempt(opts.signal, limit);
      const started = performance.now();
      const promptTokens = texts.reduce((n, t) => n + estimateTokens(t), 0);
      try {
        // Floats, not the SDK's default base64: every compatible server speaks floats.
        const res = await (await made).embeddings.create(
          { model, input: texts, encoding_format: "float", ...(dimensions === undefined ? {} : { dimensions }) },
          { signal: attempt.signal, timeout: limit + SDK_TIMEOUT_MARGIN_MS },
        );
        const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
        if (vectors.length !== texts.length) throw new Error(`expected ${texts.length} embeddings, got ${vectors.length}`);
        const usage = { promptTokens: res.usage?.prompt_tokens ?? promptTokens, completionTokens: 0 };
        emitCallRecord(options.onCall, { provider, purpose: "embedding", outcome: "ok", usage, latencyMs: performance.now() - started, tag: opts.tag });
        return vectors;
      } catch (err) {
        const classified = classifyError(err, provider.name, attempt.cause);
        emitCallRecord(options.onCall, { provider, purpose: "embedding", outcome: classified.kind, usage: { promptTokens, completionTokens: 0 }, latencyMs: performance.now() - started, error: classified, tag: opts.tag });
        throw classified;
      } finally {
        attempt.dispose();
      }
    },
  };
}
