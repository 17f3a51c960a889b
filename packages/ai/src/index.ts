export { createOpenAIProvider } from "./provider.ts";
export { createChatChain, type ChatChain } from "./chain.ts";
export type { ChainRequest, ChainStreamEvent } from "./chain-types.ts";
export { createOfflinePersona } from "./offline.ts";
export { buildChatPrompt, type PromptBudget } from "./prompt.ts";
export { fillMacros } from "./macros.ts";
export { matchLore } from "./lorebook.ts";
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
export { extractFacts } from "./facts.ts";
export { summarizeExtractive } from "./summary.ts";
export { buildProactivePrompt, cleanProactiveText, offlineProactiveMessage, type ProactiveContext } from "./proactive.ts";
export { buildDigestPrompt, DIGEST_LETTER_SCHEMA, offlineDigestLetter, parseDigestLetter } from "./digest.ts";
export { createLeakGuard, guardText, type LeakGuard } from "./leak-guard/guard.ts";
export {
  hashSeed,
  offlineStoryPost,
  parseStoryPost,
  seededRandom,
  STORY_POST_SCHEMA_NAME,
  storyPostJsonSchema,
  type StoryPost,
} from "./story-lines.ts";
export * from "./safety/index.ts";
