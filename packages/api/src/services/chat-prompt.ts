/**
 * Pure pieces of the chat service: token budgets, the memory search query, and the
 * mapping from what the database holds to the prompt and persona the chain needs.
 */
import { buildChatPrompt, fillMacros, matchLore, type ChatMessage, type PersonaContext, type PromptBudget } from "@companion/ai";
import { currentRelationship, type ChatPersonaContext, type PersonaPrivacy, type PromptMemoryRow } from "@companion/db";
import type { Degraded } from "./quota.ts";

export interface ChatBudget {
  /** The model's context window as we allow the prompt and the reply to use it. */
  contextTokens: number;
  /** Kept free for the reply; also the `max_tokens` of the request. */
  replyTokens: number;
}

const ABOUT_ME_MAX_TOKENS = 200;

export const DEFAULT_CHAT_BUDGET: ChatBudget = { contextTokens: 4_096, replyTokens: 400 };

/** How many rows the prompt loads before the budget trims them. */
export const PROMPT_ROW_LIMITS = { pinnedMemories: 10, relevantMemories: 5, recentTurns: 30 } as const;

/**
 * Splits what the reply leaves of the window: persona 30 %, memories 20 %, history 50 %
 * (the user's new message and the rolling summary, up to 15 %, count against history; the
 * person's "about me", up to 5 % and 200 tokens, against memories). buildChatPrompt enforces the window
 * as a whole, so the shares only decide who gives way first.
 */
export function promptBudget(budget: ChatBudget): PromptBudget {
  const available = budget.contextTokens - budget.replyTokens;
  return {
    contextTokens: budget.contextTokens,
    replyTokens: budget.replyTokens,
    persona: Math.floor(available * 0.3),
    memories: Math.floor(available * 0.2),
    history: Math.floor(available * 0.5),
    aboutMe: Math.min(ABOUT_ME_MAX_TOKENS, Math.floor(available * 0.05)),
    summary: Math.floor(available * 0.15),
  };
}

// Words that match almost every memory under the 'simple' text-search configuration,
// which has no stopword list of its own.
const SEARCH_STOPWORDS = new Set(
  ("the and for are but not you your yours with have has had was were this that these those they them then than " +
    "what when where which who whom why how can could would should will just about into from over under again " +
    "very really some any all its it's i'm i've i'd im ive don't didn't doesn't can't won't isn't our ours out " +
    "her his him she he we us me my mine too also been being did does done get got going know like make want")
    .split(" "),
);
const MAX_SEARCH_TERMS = 12;

/**
 * A websearch_to_tsquery string matching memories that share any meaningful word with
 * the message ("hiking or dog"), or null when there is none. websearch_to_tsquery alone
 * would AND every word, so a whole sentence would almost never match. Only letters and
 * digits pass through, so no input can form other query syntax.
 */
export function memorySearchQuery(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
  const terms: string[] = [];
  for (const word of words) {
    const term = word.replace(/'.*$/, "");
    if (term.length < 3 || SEARCH_STOPWORDS.has(word) || SEARCH_STOPWORDS.has(term) || terms.includes(term)) continue;
    terms.push(term);
    if (terms.length === MAX_SEARCH_TERMS) break;
  }
  return terms.length === 0 ? null : terms.join(" or ");
}

export interface ExchangeContext {
  persona: ChatPersonaContext;
  memories: { pinned: PromptMemoryRow[]; relevant: PromptMemoryRow[] };
  /** The latest rolling summary; `recent` starts after the turns it covers. */
  summary: string | null;
  recent: { role: "user" | "assistant"; content: string }[];
  /** The companion's story the message answers (stories.reply); absent or null for a plain message. */
  story?: { caption: string | null } | null;
}

const STORY_CAPTION_MAX_CHARS = 300;

/**
 * The user's turn as the model reads it: a reply to the companion's story says which story
 * first, so the answer can be about it (docs/stories.md#replying-to-a-story).
 */
function userTurn(content: string, story: ExchangeContext["story"]): string {
  if (!story) return content;
  const caption = story.caption?.trim().slice(0, STORY_CAPTION_MAX_CHARS) ?? "";
  const which = caption === "" ? "(a story without a caption)" : `"${caption}"`;
  return `[The user is replying to your story: ${which}]\n${content}`;
}

/** How many memory contents the offline persona gets to bring up. */
const OFFLINE_MEMORIES = 5;

/** Memory contents for the offline persona: those matching the message first, then pinned ones. */
function offlineMemories(memories: ExchangeContext["memories"]): string[] {
  const contents = [...memories.relevant, ...memories.pinned].map((m) => m.content.trim()).filter((c) => c !== "");
  return [...new Set(contents)].slice(0, OFFLINE_MEMORIES);
}

export interface ExchangePrompt {
  messages: ChatMessage[];
  maxTokens: number;
  /** For the offline fallback: name, traits, the current mood and a few memories. */
  persona: PersonaContext;
  tokenCount: number;
  /** The memories the prompt kept: the after-reply job stamps their last use. */
  memoryIds: string[];
  /** Who reads the reply unguarded, and what the leak guard keeps from anyone else (chat-guard.ts). */
  privacy: PersonaPrivacy;
  /** Set by chat-open.ts: "quota" past the person's daily limit, and the offline persona answers (docs/quotas.md). */
  degraded?: Degraded | null;
}

/** The persona's texts with a character card's `{{char}}` / `{{user}}` filled in. */
function personaForPrompt(persona: ExchangeContext["persona"]) {
  const fill = (text: string) => fillMacros(text, { char: persona.name, user: persona.userName || "the user" });
  return {
    name: persona.name,
    traits: persona.traits,
    systemPrompt: fill(persona.systemPrompt),
    speakingStyle: fill(persona.speakingStyle),
    backstory: fill(persona.backstory),
    personality: fill(persona.personality),
    scenario: fill(persona.scenario),
    exampleDialogues: fill(persona.exampleDialogues),
    postHistoryInstructions: fill(persona.postHistoryInstructions),
    catchphrases: persona.catchphrases.map(fill),
    neverSay: persona.neverSay.map(fill),
  };
}

/**
 * The chain request for one reply. The mood is the relationship as it stands at `now`
 * (decay applied), not the label stored at the last interaction.
 */
export function buildExchangePrompt(context: ExchangeContext, userMessage: string, budget: ChatBudget, now: Date): ExchangePrompt {
  const { persona, memories, summary, recent } = context;
  const relationship = currentRelationship(persona.relationship, now);
  const prompt = buildChatPrompt({
    persona: personaForPrompt(persona),
    mood: { label: relationship.mood, affection: relationship.affection, trust: relationship.trust, energy: relationship.energy },
    aboutMe: persona.aboutMe,
    pinnedMemories: memories.pinned,
    relevantMemories: memories.relevant,
    lore: matchLore(persona.characterBook, { userMessage, recent }),
    summary,
    recentMessages: recent,
    userMessage: userTurn(userMessage, context.story),
    budget: promptBudget(budget),
  });
  return {
    messages: prompt.messages,
    maxTokens: budget.replyTokens,
    persona: {
      name: persona.name,
      traits: persona.traits,
      mood: relationship.mood,
      fallbackLines: persona.fallbackLines,
      memories: offlineMemories(memories),
    },
    tokenCount: prompt.tokenCount,
    memoryIds: [
      ...memories.pinned.slice(0, memories.pinned.length - prompt.dropped.pinnedMemories),
      ...memories.relevant.slice(0, memories.relevant.length - prompt.dropped.relevantMemories),
    ].map((m) => m.id),
    privacy: { ownerUserId: persona.ownerUserId, privateTexts: persona.privateTexts },
  };
}
