import type { ProviderErrorKind } from "./errors.ts";

type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/**
 * What the offline persona fallback needs to sound like the companion. Network providers
 * ignore it; it rides along on the request so the chain can fall back without a second lookup.
 */
export interface PersonaContext {
  name?: string;
  traits: readonly string[];
  /** Free text from storage; unknown labels fall back to "neutral". */
  mood: string;
  /** Persona-authored lines per mood label; `{topic}` (or the older `{keyword}`) and `{name}` are substituted. */
  fallbackLines?: Partial<Record<string, readonly string[]>>;
  /** Contents of the person's memories, most relevant first (a handful), for the offline persona to bring up. */
  memories?: readonly string[];
}

export interface CompletionRequest {
  messages: readonly ChatMessage[];
  maxTokens: number;
  temperature?: number;
  signal?: AbortSignal;
  /** `json_schema`: structured output (OpenAI's `response_format: { type: "json_schema" }`), strict. */
  responseFormat?: "text" | "json_object" | { type: "json_schema"; name: string; schema: Record<string, unknown> };
  persona?: PersonaContext;
  /**
   * Per-attempt limit, overriding the provider's own. Non-streaming: the whole request.
   * Streaming: time to the first chunk. The chain uses it to clip attempts to its deadline.
   */
  timeoutMs?: number;
  /** Streaming only: the longest silence allowed between two chunks. Defaults to the provider timeout. */
  idleTimeoutMs?: number;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface CompletionResult extends Usage {
  text: string;
}

/** A provider stream yields text deltas, then exactly one usage summary when it completed normally. */
export type StreamChunk = { type: "delta"; text: string } | ({ type: "usage" } & Usage);

/** One model endpoint. Each call is exactly one attempt: retries, breakers and fallback belong to the chain. */
export interface ChatProvider {
  readonly name: string;
  readonly model: string;
  readonly timeoutMs: number;
  /** How many times the chain may retry this provider after a retryable failure. */
  readonly maxRetries: number;
  complete(request: CompletionRequest): Promise<CompletionResult>;
  stream(request: CompletionRequest): AsyncIterable<StreamChunk>;
  /**
   * Starts loading, in the background, what the provider loads on its first call. The chain
   * calls it on the offline persona when a chat exchange starts, so that its fallback answers
   * as quickly as when everything was loaded at startup.
   */
  prepare?(): void;
}

/** Why a model was called: its ai_calls row says so. Only `chat` has an offline answer in the chain. */
export type CallPurpose = "chat" | "sentiment" | "summary" | "embedding" | "memory" | "proactive" | "digest" | "story";

export type CallOutcome = "ok" | ProviderErrorKind;

/** One row of call accounting; the caller persists it (this package never touches the database). */
export interface CallRecord extends Usage {
  provider: string;
  model: string;
  purpose: CallPurpose;
  outcome: CallOutcome;
  latencyMs: number;
  costUsd: number;
  errorMessage?: string;
  /** Streamed attempts that produced a token: milliseconds from the attempt's start to its first token. */
  firstTokenMs?: number;
  /**
   * True when this attempt was not the request's first choice: an earlier attempt of the same
   * request failed or was skipped (a retry, the next provider), or it is the offline persona
   * answering for configured network providers.
   */
  fallback?: boolean;
  /** The `tag` of the chain request this call served (e.g. whose request it was), untouched. */
  tag?: unknown;
}

export type OnCall = (record: CallRecord) => void | Promise<void>;
