export { createOpenAIProvider } from "./provider.ts";
export { createChatChain, type ChatChain } from "./chain.ts";
export type { ChainRequest, ChainStreamEvent } from "./chain-types.ts";
export { createOfflinePersona } from "./offline.ts";
export { buildChatPrompt, type PromptBudget } from "./prompt.ts";
export { estimateMessagesTokens } from "./tokens.ts";
export { classifySentimentWithModel, lexiconSentiment, type SentimentResult } from "./sentiment.ts";
export { createChatChainFromConfig, hasNetworkProvider, parseAiEnv, type AiConfig } from "./config.ts";
export { createEmbedderFromConfig, type Embedder } from "./embeddings.ts";
export type {
  CallRecord,
  ChatMessage,
  ChatProvider,
  OnCall,
  PersonaContext,
} from "./types.ts";
export { extractFacts, type ExtractedFact, type FactCategory } from "./facts.ts";
export { summarizeExtractive, type SummaryTurn } from "./summary.ts";
