import { ProviderError } from "./errors.ts";
import { toMoodLabel } from "./mood.ts";
import {
  KNOWN_TRAITS,
  type KnownTrait,
  MOOD_CLOSERS,
  MOOD_OPENERS,
  TRAIT_ECHOES,
  TRAIT_NO_KEYWORD,
} from "./offline-lines.ts";
import { loadNlp } from "./nlp.ts";
import { memoryOnTopic, recallLine } from "./offline-recall.ts";
import { messageTopics, type Topic } from "./topics.ts";
import type { ChatMessage, ChatProvider, CompletionRequest, CompletionResult, PersonaContext, StreamChunk } from "./types.ts";

export const OFFLINE_PROVIDER = "offline";
const OFFLINE_MODEL = "persona-fallback";

const NEUTRAL_PERSONA: PersonaContext = { traits: [], mood: "neutral" };

/** mulberry32: tiny, seedable and good enough to pick phrases. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function pick<T>(items: readonly T[], random: () => number): T | undefined {
  return items[Math.floor(random() * items.length)];
}

const knownTraitSet: ReadonlySet<string> = new Set(KNOWN_TRAITS);
const isKnownTrait = (trait: string): trait is KnownTrait => knownTraitSet.has(trait);

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const PLACEHOLDER = /\{(?:topic|keyword)\}/u;

function fill(template: string, topic: Topic | undefined, name: string | undefined): string {
  const filled = template.replaceAll(/\{(?:topic|keyword)\}/gu, topic?.text ?? "that").replaceAll("{name}", name ?? "me");
  return capitalize(filled);
}

export interface OfflineReplyParts {
  text: string;
  /** The message topic the reply names, if it names one. */
  topic?: Topic;
  /** The memory content the reply brings up, if any. */
  memory?: string;
}

/**
 * The offline reply and what went into it (tests check the topic came from the message).
 * Needs compromise loaded (`loadNlp()`), as the persona's complete and stream do first.
 * The topic is the message's best noun phrase or name (topics.ts); a memory sharing it, or
 * sometimes the most relevant one when the message has no topic, is brought up as a question.
 */
export function composeOfflineReply(persona: PersonaContext, userMessage: string, random: () => number): OfflineReplyParts {
  const mood = toMoodLabel(persona.mood);
  const topics = messageTopics(userMessage);
  const topic = topics[0];
  const memories = (persona.memories ?? []).filter((m) => m.trim() !== "").slice(0, 5);
  const related = memoryOnTopic(memories, topics);
  const unprompted = topic === undefined && memories.length > 0 && random() < 0.5 ? pick(memories.slice(0, 3), random) : undefined;
  const memory = related ?? unprompted;
  const recall = memory === undefined ? undefined : recallLine(memory, random);
  const recalled = recall === undefined ? {} : { memory };

  const authored = (persona.fallbackLines?.[mood] ?? []).filter((line) => line.trim() !== "");
  const authoredLine = pick(authored, random);
  if (authoredLine !== undefined) {
    const named = PLACEHOLDER.test(authoredLine) && topic !== undefined ? { topic } : {};
    return { text: [fill(authoredLine, topic, persona.name), recall].filter((p) => p !== undefined).join(" "), ...named, ...recalled };
  }

  const traits = persona.traits.map((t) => t.trim().toLowerCase()).filter(isKnownTrait);
  const trait = pick(traits, random) ?? "default";
  const opener = pick(MOOD_OPENERS[mood], random) ?? "Hey.";
  if (topic === undefined) {
    const middle = recall ?? fill(pick(TRAIT_NO_KEYWORD[trait], random) ?? "Tell me more?", undefined, persona.name);
    const closer = random() < 0.4 ? pick(MOOD_CLOSERS[mood], random) : undefined;
    return { text: [opener, middle, closer].filter((p) => p !== undefined).join(" "), ...recalled };
  }
  const middle = fill(pick(TRAIT_ECHOES[trait], random) ?? "Tell me more about {topic}.", topic, persona.name);
  const closer = recall ?? (random() < 0.4 ? pick(MOOD_CLOSERS[mood], random) : undefined);
  return { text: [opener, middle, closer].filter((p) => p !== undefined).join(" "), topic, ...recalled };
}

/**
 * A short in-character reply without any model. Persona-authored lines for the mood win;
 * otherwise an opener by mood, a line by trait about the message's topic, and a memory
 * brought up or sometimes a mood closer. Never empty.
 */
export function offlineReply(persona: PersonaContext, userMessage: string, random: () => number): string {
  return composeOfflineReply(persona, userMessage, random).text;
}

function lastUserMessage(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === "user") return message.content;
  }
  return "";
}

export interface OfflinePersonaOptions {
  /** Same seed and same sequence of calls ⇒ same replies; defaults to a random seed. */
  seed?: number;
  /** Pause between streamed words (AI_OFFLINE_TOKEN_DELAY_MS); 0 streams them at once. */
  tokenDelayMs?: number;
}

/**
 * The last resort of the chat chain, with the same shape as a network provider. It reads
 * the persona from `request.persona` and the user's words from the last user message.
 * Token usage is reported as 0: nothing was billed.
 */
/** Waits `ms`, or less when the signal aborts (the caller then sees the abort). */
const pause = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

export function createOfflinePersona(options: OfflinePersonaOptions = {}): ChatProvider {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const tokenDelayMs = options.tokenDelayMs ?? 0;
  let calls = 0;

  const reply = (request: CompletionRequest): string => {
    if (request.signal?.aborted) {
      throw new ProviderError("aborted", "offline: aborted by caller", false, OFFLINE_PROVIDER);
    }
    const userMessage = lastUserMessage(request.messages);
    // Mixing in the message and a call counter varies replies while staying reproducible per seed.
    const random = seededRandom(seed ^ hashString(userMessage) ^ Math.imul(++calls, 0x9e3779b9));
    return offlineReply(request.persona ?? NEUTRAL_PERSONA, userMessage, random);
  };

  return {
    name: OFFLINE_PROVIDER,
    model: OFFLINE_MODEL,
    timeoutMs: 0,
    maxRetries: 0,
    // compromise, while the network providers are tried: a fallback then answers at once. Its
    // load is synchronous work (0.1-0.3 s, once per process); a failure shows in complete/stream.
    prepare: () => void loadNlp().catch(() => undefined),
    async complete(request): Promise<CompletionResult> {
      await loadNlp();
      return { text: reply(request), promptTokens: 0, completionTokens: 0 };
    },
    async *stream(request): AsyncGenerator<StreamChunk> {
      await loadNlp();
      // Word chunks (each keeping its trailing space) so clients render it like a model stream.
      const words = reply(request).split(/(?<=\s)/);
      for (const [index, word] of words.entries()) {
        if (index > 0 && tokenDelayMs > 0) await pause(tokenDelayMs, request.signal);
        if (request.signal?.aborted) {
          throw new ProviderError("aborted", "offline: aborted by caller", false, OFFLINE_PROVIDER);
        }
        yield { type: "delta", text: word };
      }
      yield { type: "usage", promptTokens: 0, completionTokens: 0 };
    },
  };
}
