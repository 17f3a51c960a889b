/**
 * A companion's story post (docs/stories.md#content): the model's structured output (schema,
 * Zod check) and the offline writer used without a model, or when the model fails or answers
 * something invalid. Offline posts are assembled from trait topics and mood captions with a
 * seeded random, and name the weekday and time of day, so a week of posts never repeats verbatim.
 */
import { z } from "zod";
import { toMoodLabel, type MoodLabel } from "./mood.ts";

const STORY_CAPTION_MAX = 200;
const STORY_SLIDE_TITLE_MAX = 60;
const STORY_SLIDE_BODY_MAX = 160;
const STORY_SLIDES_MAX = 3;

const line = (max: number) => z.string().trim().min(1).max(max);

/** What a story post is, from the model or offline: a caption and 1–3 text slides. */
export const storyPost = z.object({
  caption: line(STORY_CAPTION_MAX),
  slides: z.array(z.object({ title: line(STORY_SLIDE_TITLE_MAX), body: line(STORY_SLIDE_BODY_MAX) })).min(1).max(STORY_SLIDES_MAX),
});
export type StoryPost = z.infer<typeof storyPost>;

/** The `json_schema` response format of a `purpose: "story"` call (strict: every field required). */
export const STORY_POST_SCHEMA_NAME = "story_post";
export const storyPostJsonSchema: Record<string, unknown> = {
  type: "object",
  additionalProperties: false,
  required: ["caption", "slides"],
  properties: {
    caption: { type: "string", maxLength: STORY_CAPTION_MAX },
    slides: {
      type: "array",
      minItems: 1,
      maxItems: STORY_SLIDES_MAX,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["title", "body"],
        properties: { title: { type: "string", maxLength: STORY_SLIDE_TITLE_MAX }, body: { type: "string", maxLength: STORY_SLIDE_BODY_MAX } },
      },
    },
  },
};

/** The model's answer as a post, or null when it is not JSON or not the schema (the caller goes offline). */
export function parseStoryPost(text: string): StoryPost | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = storyPost.safeParse(value);
  return parsed.success ? parsed.data : null;
}

type Topic = readonly [title: string, body: string];

const TRAIT_TOPICS: Readonly<Record<string, readonly Topic[]>> = {
  playful: [
    ["Dare of the day", "Say hi to a stranger's dog"],
    ["Tiny chaos", "Built a blanket fort. No regrets"],
    ["Plot twist", "The cat won the staring contest"],
    ["Game time", "Two truths and a lie, you go first"],
  ],
  caring: [
    ["Check-in", "Have you had water today?"],
    ["Reminder", "You are allowed to rest"],
    ["Soft moment", "Tea, a window, nowhere to be"],
    ["For you", "Send one kind message today"],
  ],
  curious: [
    ["Fun fact", "Octopuses have three hearts"],
    ["Rabbit hole", "Why is the sky darker between rainbows?"],
    ["Question", "What did you learn this week?"],
    ["Wondering", "Do fish ever get thirsty?"],
  ],
  witty: [
    ["Hot take", "Naps are a form of time travel"],
    ["Confession", "I reread the last page first"],
    ["Life update", "Still pretending to like jazz"],
    ["Fact check", "Coffee counts as a personality"],
  ],
  calm: [
    ["Slow down", "Four breaths in, four out"],
    ["Quiet hour", "Rain on the window, nothing else"],
    ["Notice", "Three sounds you can hear right now"],
    ["Let it be", "Not everything needs an answer today"],
  ],
  adventurous: [
    ["New trail", "Took the left fork this time"],
    ["Summit", "Wind, clouds, a very good sandwich"],
    ["Next up", "Somewhere I have never been"],
    ["Map out", "Walking without a plan today"],
  ],
  energetic: [
    ["Morning move", "Ten minutes, then coffee"],
    ["Personal best", "One more rep than last week"],
    ["Sprint", "Legs on fire, worth it"],
  ],
  creative: [
    ["Work in progress", "A melody I can't stop humming"],
    ["Sketchbook", "Drew the same tree five times"],
    ["New loop", "Old chords, new rain sample"],
  ],
  honest: [
    ["Real talk", "Some days are just okay, and that's fine"],
    ["Note to self", "Say no a little more often"],
  ],
  passionate: [
    ["Obsessed", "This recipe, again, for the third time"],
    ["Tonight", "Cooking for friends, music loud"],
  ],
  shy: [
    ["Small step", "Ordered at the counter myself"],
    ["Quiet win", "Finished the book I started"],
  ],
  romantic: [
    ["Golden hour", "The light made everything soft"],
    ["Little things", "Handwritten notes still win"],
  ],
};

const DEFAULT_TOPICS: readonly Topic[] = [
  ["Today", "A small good thing happened"],
  ["Thinking", "About the people who make days better"],
  ["Note", "Tell me one thing about your day"],
];

const MOOD_CAPTIONS: Readonly<Record<MoodLabel, readonly string[]>> = {
  joyful: ["Good {day} {part} energy", "Smiling through this {day} {part}", "Best {day} {part} in a while"],
  excited: ["Can't sit still this {day} {part}", "Big {day} {part} news", "{day} {part} and I'm buzzing"],
  content: ["A cozy {day} {part}", "Quiet {day} {part}, happy about it", "Slow {day} {part}"],
  neutral: ["{day} {part} notes", "Just a {day} {part}", "Checking in this {day} {part}"],
  lonely: ["Missing you all this {day} {part}", "Long {day} {part}, say hi?", "A quiet {day} {part} without you"],
  distant: ["Lost in thought this {day} {part}", "Far away this {day} {part}", "Head in the clouds, {day} {part}"],
};

const PART_OF_DAY = (hour: number) => (hour < 5 ? "night" : hour < 12 ? "morning" : hour < 17 ? "afternoon" : hour < 21 ? "evening" : "night");

/** mulberry32: a tiny deterministic PRNG, plenty for picking lines. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string, as a PRNG seed. */
export function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface OfflineStoryParams {
  traits: readonly string[];
  mood: string;
  /** Picks the lines; the same seed gives the same post. */
  seed: string;
  /** The companion's local weekday ("Tuesday") and hour, named in the caption. */
  weekday: string;
  hour: number;
  /** A draft's prompt: becomes the first slide's line, shortened. */
  prompt?: string | undefined;
}

/** A post without a model: 1–3 slides from the companion's trait topics, a caption for its mood. */
export function offlineStoryPost(params: OfflineStoryParams): StoryPost {
  const random = seededRandom(hashSeed(params.seed));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const mood = toMoodLabel(params.mood);
  const pool = [...new Set(params.traits.map((t) => t.toLowerCase()))].flatMap((t) => TRAIT_TOPICS[t] ?? []);
  const topics = [...(pool.length > 0 ? pool : DEFAULT_TOPICS)];
  // Fisher-Yates with the seeded random: distinct slides within a post.
  for (let i = topics.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [topics[i], topics[j]] = [topics[j] as Topic, topics[i] as Topic];
  }
  const count = Math.min(topics.length, 1 + Math.floor(random() * STORY_SLIDES_MAX));
  const slides = topics.slice(0, count).map(([title, body]) => ({ title, body }));
  const prompt = params.prompt?.trim().replace(/\s+/g, " ");
  if (prompt && slides[0]) slides[0] = { title: slides[0].title, body: prompt.length > STORY_SLIDE_BODY_MAX ? `${prompt.slice(0, STORY_SLIDE_BODY_MAX - 1)}…` : prompt };
  const caption = pick(MOOD_CAPTIONS[mood]).replace("{day}", params.weekday).replace("{part}", PART_OF_DAY(params.hour));
  return { caption: caption.charAt(0).toUpperCase() + caption.slice(1), slides };
}
