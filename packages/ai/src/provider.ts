import type OpenAI from "openai";
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import { startAttempt } from "./attempt.ts";
import { ProviderError, classifyError } from "./errors.ts";
import { loadOpenAI } from "./openai-sdk.ts";
import { estimateMessagesTokens, estimateTokens } from "./tokens.ts";
import type { ChatProvider, CompletionRequest, CompletionResult, StreamChunk } from "./types.ts";

export interface OpenAIProviderOptions {
  /** Label used in call records and fallback events, e.g. "openai", "groq", "ollama". */
  name: string;
  /** Optional because local servers (Ollama, vLLM) accept any key; the SDK insists on one. */
  apiKey?: string;
  baseURL: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
}

// The SDK throws without a key and would otherwise read OPENAI_API_KEY from the environment.
const PLACEHOLDER_KEY = "not-needed";
// Our own timer is authoritative; the SDK's only backstops it, so it must never win the race.
const SDK_TIMEOUT_MARGIN_MS = 1_000;

/**
 * A provider over the official `openai` SDK, for OpenAI itself and any OpenAI-compatible
 * endpoint. Every call is a single attempt: the SDK's own retries are off (`maxRetries: 0`)
 * and each attempt gets our timeout instead of the SDK's 10-minute default.
 */
function responseFormatParam(format: CompletionRequest["responseFormat"]): Pick<ChatCompletionCreateParamsBase, "response_format"> {
  if (format === undefined || format === "text") return {};
  if (format === "json_object") return { response_format: { type: "json_object" } };
  return { response_format: { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: true } } };
}

export function createOpenAIProvider(options: OpenAIProviderOptions): ChatProvider {
  const { name, model, timeoutMs, maxRetries } = options;
  // Every option the SDK would otherwise read from process.env is passed explicitly. The SDK
  // loads now, where a provider is configured, not at startup everywhere (openai-sdk.ts).
  const made: Promise<OpenAI> = loadOpenAI().then(
    (sdk) =>
      new sdk.OpenAI({
        apiKey: options.apiKey ?? PLACEHOLDER_KEY,
        baseURL: options.baseURL,
        organization: null,
        project: null,
        webhookSecret: null,
        adminAPIKey: null,
        timeout: timeoutMs + SDK_TIMEOUT_MARGIN_MS,
        maxRetries: 0,
        logLevel: "warn",
      }),
  );
  // A failure to load shows on the first call.
  made.catch(() => undefined);

  const baseParams = (request: CompletionRequest): ChatCompletionCreateParamsBase => ({
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    // `max_tokens` rather than `max_completion_tokens`: every compatible server accepts it.
    max_tokens: request.maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...responseFormatParam(request.responseFormat),
  });

  async function complete(request: CompletionRequest): Promise<CompletionResult> {
    const limit = request.timeoutMs ?? timeoutMs;
    const attempt = startAttempt(request.signal, limit);
    try {
      const response = await (await made).chat.completions.create(
        { ...baseParams(request), stream: false },
        { signal: attempt.signal, timeout: limit + SDK_TIMEOUT_MARGIN_MS },
      );
      const text = response.choices[0]?.message.content ?? "";
      // An empty reply is useless to a chat UI; let the chain try someone else.
      if (text.trim() === "") throw new ProviderError("error", `${name}: empty completion`, false, name);
      return {
        text,
        promptTokens: response.usage?.prompt_tokens ?? estimateMessagesTokens(request.messages),
        completionTokens: response.usage?.completion_tokens ?? estimateTokens(text),
      };
    } catch (err) {
      throw classifyError(err, name, attempt.cause);
    } finally {
      attempt.dispose();
    }
  }

  async function* stream(request: CompletionRequest): AsyncGenerator<StreamChunk> {
    const firstChunkLimit = request.timeoutMs ?? timeoutMs;
    const idleLimit = request.idleTimeoutMs ?? timeoutMs;
    const attempt = startAttempt(request.signal, firstChunkLimit);
    let responseStarted = false;
    try {
      const chunks = await (await made).chat.completions.create(
        { ...baseParams(request), stream: true, stream_options: { include_usage: true } },
        { signal: attempt.signal, timeout: firstChunkLimit + SDK_TIMEOUT_MARGIN_MS },
      );
      responseStarted = true;
      let text = "";
      let finished = false;
      let usage: { promptTokens: number; completionTokens: number } | undefined;
      for await (const chunk of chunks) {
        const choice = chunk.choices[0];
        if (choice?.finish_reason) finished = true;
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        }
        const delta = choice?.delta.content;
        if (delta) {
          text += delta;
          // The timer measures the network, not a slow consumer, so it is paused across the yield.
          attempt.disarm();
          yield { type: "delta", text: delta };
        }
        attempt.arm(idleLimit);
      }
      // The SDK ends an aborted stream without an error; surface ours.
      attempt.throwIfAborted(name);
      if (!finished) throw new ProviderError("server_error", `${name}: stream ended before finish_reason`, true, name);
      yield {
        type: "usage",
        ...(usage ?? {
          // Some compatible servers ignore `include_usage`; an estimate beats a zero in cost accounting.
          promptTokens: estimateMessagesTokens(request.messages),
          completionTokens: estimateTokens(text),
        }),
      };
    } catch (err) {
      const classified = classifyError(err, name, attempt.cause);
      // A broken body after the response began is the server's failure, not an unknown one.
      if (responseStarted && classified.kind === "error" && !(err instanceof ProviderError)) {
        throw new ProviderError("server_error", classified.message, true, name, { cause: err });
      }
      throw classified;
    } finally {
      attempt.dispose();
    }
  }

  return { name, model, timeoutMs, maxRetries, complete, stream };
}
