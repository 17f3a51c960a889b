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

const STOPWORDS = new Set(
  ("about after again also because been before being could does doing from have having here just like maybe more " +
    "much need really should some still that their them then there these they thing things think this those today " +
    "very want what when where which while with would your you're i'm it's don't didn't can't yeah okay hello " +
    "thanks thank please know feel going got tell said guess whatever something anything everything nothing " +
    "actually honestly literally pretty kind sort lately always never tonight tomorrow yesterday feeling went " +
    "make made getting gonna wanna right sure well good great fine bit lot lots little couple nice")
    .split(" "),
);

// Words after these are usually the thing being talked about ("at work", "my sourdough").
const NOUN_MARKERS = new Set("a an the my your his her our their to at in on about from with for of".split(" "));

const isCandidate = (word: string, minLength: number) =>
  word.length >= minLength && word.length <= 24 && !STOPWORDS.has(word) && !NOUN_MARKERS.has(word);

/**
 * The word most worth echoing back: the last one following an article, possessive or
 * preposition (a cheap stand-in for "the noun"), else the longest non-filler word.
 */
export function pickKeyword(message: string): string | undefined {
  const words = message.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  let marked: string | undefined;
  let longest: string | undefined;
  words.forEach((word, i) => {
    const previous = words[i - 1];
    if (previous !== undefined && NOUN_MARKERS.has(previous) && isCandidate(word, 3)) marked = word;
    if (isCandidate(word, 4) && (longest === undefined || word.length > longest.length)) longest = word;
  });
  return marked ?? longest;
}

const knownTraitSet: ReadonlySet<string> = new Set(KNOWN_TRAITS);
const isKnownTrait = (trait: string): trait is KnownTrait => knownTraitSet.has(trait);

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function fill(template: string, keyword: string | undefined, name: string | undefined): string {
  const filled = template.replaceAll("{keyword}", keyword ?? "that").replaceAll("{name}", name ?? "me");
  return capitalize(filled);
}

/**
 * A short in-character reply without any model. Persona-authored lines for the mood win;
 * otherwise an opener by mood, a line by trait echoing the user's keyword, and sometimes a
 * mood closer. Never empty.
 */
export function offlineReply(persona: PersonaContext, userMessage: string, random: () => number): string {
  const mood = toMoodLabel(persona.mood);
  const keyword = pickKeyword(userMessage);
  const authored = (persona.fallbackLines?.[mood] ?? []).filter((line) => line.trim() !== "");
  const authoredLine = pick(authored, random);
  if (authoredLine !== undefined) return fill(authoredLine, keyword, persona.name);

  const traits = persona.traits.map((t) => t.trim().toLowerCase()).filter(isKnownTrait);
  const trait = pick(traits, random) ?? "default";
  const opener = pick(MOOD_OPENERS[mood], random) ?? "Hey.";
  const lines = keyword === undefined ? TRAIT_NO_KEYWORD[trait] : TRAIT_ECHOES[trait];
  const middle = fill(pick(lines, random) ?? "Tell me more?", keyword, persona.name);
  const closer = random() < 0.4 ? pick(MOOD_CLOSERS[mood], random) : undefined;
  return [opener, middle, closer].filter((part) => part !== undefined).join(" ");
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
}

/**
 * The last resort of the chat chain, with the same shape as a network provider. It reads
 * the persona from `request.persona` and the user's words from the last user message.
 * Token usage is reported as 0: nothing was billed.
 */
export function createOfflinePersona(options: OfflinePersonaOptions = {}): ChatProvider {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
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
    async complete(request): Promise<CompletionResult> {
      return { text: reply(request), promptTokens: 0, completionTokens: 0 };
    },
    async *stream(request): AsyncGenerator<StreamChunk> {
      // Word chunks (each keeping its trailing space) so clients render it like a model stream.
      for (const word of reply(request).split(/(?<=\s)/)) {
        if (request.signal?.aborted) {
          throw new ProviderError("aborted", "offline: aborted by caller", false, OFFLINE_PROVIDER);
        }
        yield { type: "delta", text: word };
      }
      yield { type: "usage", promptTokens: 0, completionTokens: 0 };
    },
  };
}
