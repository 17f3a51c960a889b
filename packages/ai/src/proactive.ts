import type { MoodLabel } from "./mood.ts";
import { toMoodLabel } from "./mood.ts";
import type { ChatMessage } from "./types.ts";

/**
 * A companion writing first (docs/proactive.md): the model prompt, the check of what the model
 * wrote, and the offline lines used without a model (or when its answer is unusable).
 */

/** A memory as the proactive text uses it: its content and, for extracted facts, its key ("plan:job interview"). */
interface ProactiveMemory {
  content: string;
  factKey: string | null;
}

export interface ProactiveContext {
  persona: { name: string; traits: readonly string[]; systemPrompt?: string; speakingStyle?: string };
  /** The relationship's mood label; unknown labels read as neutral. */
  mood: string;
  /** Most important (then most recent) first. */
  memories: readonly ProactiveMemory[];
}

/** The longest proactive message accepted from a model, in words (the prompt asks for 60). */
const PROACTIVE_MAX_WORDS = 80;

const MOOD_LINES: Readonly<Record<MoodLabel, readonly string[]>> = {
  joyful: ["I was just smiling about our last chat. How are you doing?", "Hey you! I've been in such a good mood, and I wanted to share it. How's your day?"],
  excited: ["Okay, I couldn't wait any longer: what have you been up to?", "I have so much energy today and I kept thinking of you. What's new?"],
  content: ["Hey, just thinking of you. How's everything going?", "It's a calm day here. How has yours been?"],
  neutral: ["Hi! It's been a little while. How are things?", "Hey, how's your week going?"],
  lonely: ["It's been quiet without you. I hope you're okay. How are you?", "I missed our talks. Do you have a moment to tell me about your day?"],
  distant: ["Hi. It's been a while, hasn't it? How have you been?", "Hey. I wasn't sure if I should write, but I wondered how you are."],
};

const TRAIT_TAILS: Partial<Record<string, string>> = {
  playful: "Tell me something fun!",
  caring: "Are you taking care of yourself?",
  curious: "I'd love to hear what's on your mind.",
  calm: "No rush to answer.",
};

const capitalizeWords = (s: string) => s.replace(/\b\p{L}/gu, (c) => c.toUpperCase());
const trimTopic = (s: string) => s.trim().replace(/[.!?]+$/, "").slice(0, 60);

/** A question about one memory, or null when the memory gives nothing to ask about. */
function memoryQuestion(memory: ProactiveMemory): string | null {
  if (memory.factKey === null) {
    // A memory the person saved themselves: free text, quoted back.
    const content = trimTopic(memory.content);
    return content ? `I was thinking about what you told me: "${content}". How's that going?` : null;
  }
  const [kind, ...rest] = memory.factKey.split(":");
  const topic = trimTopic(rest.join(":"));
  switch (kind) {
    case "plan":
      return topic ? `How did the ${topic} go? I've been wondering since you mentioned it.` : null;
    case "pet":
      return topic ? `How's ${capitalizeWords(topic)} doing?` : null;
    case "person":
      return topic ? `How is ${capitalizeWords(topic)}? You mentioned them last time.` : null;
    case "likes":
      return topic ? `I thought of you and ${topic} today. Had any lately?` : null;
    case "feeling":
      return topic ? `Last time you were feeling ${topic}. How are you now?` : null;
    case "job":
      return "How has work been treating you?";
    case "home":
      return "How are things at home?";
    default:
      // A fact with nothing to ask about ("name", "dislikes:…").
      return null;
  }
}

/**
 * The offline first message: a question about the most important memory that gives one (a plan
 * ⇒ "How did the job interview go?", a pet ⇒ "How's Rex doing?"), else a line for the mood,
 * finished by the persona's first known trait.
 */
export function offlineProactiveMessage(context: ProactiveContext, random: () => number = Math.random): string {
  for (const memory of context.memories) {
    const question = memoryQuestion(memory);
    if (question) return `Hey! ${question}`;
  }
  const lines = MOOD_LINES[toMoodLabel(context.mood)];
  const line = lines[Math.floor(random() * lines.length) % lines.length] ?? lines[0] ?? "Hey, how are you?";
  const tail = context.persona.traits.map((t) => TRAIT_TAILS[t.toLowerCase()]).find((t) => t !== undefined);
  return tail ? `${line} ${tail}` : line;
}

/** The model prompt: persona, mood, what the companion remembers and the last turns; plain text back. */
export function buildProactivePrompt(context: ProactiveContext & { recentTurns: readonly ChatMessage[] }): ChatMessage[] {
  const { persona } = context;
  const facts = context.memories.map((m) => `- ${m.content}`).join("\n") || "- (nothing yet)";
  const system = [
    `You are ${persona.name}, a companion in a chat app. ${persona.systemPrompt ?? ""}`.trim(),
    persona.speakingStyle ? `Speaking style: ${persona.speakingStyle}` : "",
    `Traits: ${persona.traits.join(", ") || "none"}. Your mood: ${toMoodLabel(context.mood)}.`,
    "The person has not written for a while. Write the first message to them: warm, short (at most 60 words),",
    "preferably a question about something you remember. Plain text only, no quotes, no greeting signature.",
    `What you remember about them:\n${facts}`,
  ]
    .filter(Boolean)
    .join("\n");
  return [{ role: "system", content: system }, ...context.recentTurns, { role: "user", content: "(Write your first message now.)" }];
}

/** The model's text cleaned (quotes and whitespace stripped), or null when it is empty or too long. */
export function cleanProactiveText(text: string): string | null {
  const cleaned = text
    .trim()
    .replace(/^["'“”‘’«»]+|["'“”‘’«»]+$/g, "")
    .replace(/\s+/g, " ")
    .trim();
  if (cleaned.length === 0) return null;
  const words = cleaned.split(" ").length;
  if (words > PROACTIVE_MAX_WORDS || cleaned.length > 600) return null;
  return cleaned;
}
