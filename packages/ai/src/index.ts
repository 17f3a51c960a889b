export { createOpenAIProvider, type OpenAIProviderOptions } from "./provider.ts";
export { ProviderError, classifyError, isProviderError, type ProviderErrorKind } from "./errors.ts";
export { createBreaker, reportToBreaker, type BreakerOptions, type BreakerState, type CircuitBreaker } from "./breaker.ts";
export { DEFAULT_BUDGET, backoffDelay, shouldRetry, type BudgetOptions } from "./budget.ts";
export { createChatChain, type ChatChain, type ChatChainOptions } from "./chain.ts";
export type { ChainRequest, ChainResult, ChainStreamEvent, ChainStreamRequest } from "./chain-types.ts";
export { createOfflinePersona, offlineReply, pickKeyword, OFFLINE_MODEL, OFFLINE_PROVIDER, type OfflinePersonaOptions } from "./offline.ts";
export { KNOWN_TRAITS, type KnownTrait } from "./offline-lines.ts";
export { MOOD_LABELS, isMoodLabel, toMoodLabel, type MoodLabel } from "./mood.ts";
export {
  buildChatPrompt,
  type ChatPrompt,
  type ChatPromptInput,
  type PromptBudget,
  type PromptMemory,
  type PromptMood,
  type PromptPersona,
} from "./prompt.ts";
export { estimateTokens, estimateMessagesTokens, truncateToTokens, MESSAGE_OVERHEAD_TOKENS } from "./tokens.ts";
export {
  classifySentimentWithModel,
  lexiconSentiment,
  modelSentimentSchema,
  type ModelSentimentOptions,
  type SentimentResult,
} from "./sentiment.ts";
export {
  aiConfigSchema,
  createChatChainFromConfig,
  createProvidersFromConfig,
  fallbackProviderSchema,
  parseAiEnv,
  type AiConfig,
} from "./config.ts";
export { estimateCostUsd, MODEL_PRICES_PER_MILLION } from "./pricing.ts";
export type {
  CallOutcome,
  CallPurpose,
  CallRecord,
  ChatMessage,
  ChatProvider,
  ChatRole,
  CompletionRequest,
  CompletionResult,
  OnCall,
  PersonaContext,
  StreamChunk,
  Usage,
} from "./types.ts";
