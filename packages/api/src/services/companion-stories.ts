/**
 * Companions' stories (docs/stories.md): writing a post (the model with `purpose: "story"`, or
 * the offline writer), rendering its slides as SVG image cards into the media store, and
 * publishing it with its notifications job. Used by the schedule's jobs and by approved drafts.
 */
import {
  classifyReplyOffline,
  offlineStoryPost,
  parseStoryPost,
  STORY_POST_SCHEMA_NAME,
  storyPostJsonSchema,
  type ChatChain,
  type StoryPost,
} from "@companion/ai";
import {
  publishCompanionStory,
  renderStoryCardSvg,
  STORY_CARD_HEIGHT,
  STORY_CARD_PALETTES,
  STORY_CARD_WIDTH,
  type CompanionStoryContext,
  type Database,
} from "@companion/db";
import type { JobQueue } from "@companion/jobs";
import type { MediaService } from "./media.ts";
import { localTime } from "./story-schedule.ts";

export interface WrittenStory {
  post: StoryPost;
  source: "model" | "offline";
}

const STORY_MAX_TOKENS = 400;

function storyMessages(companion: CompanionStoryContext, at: Date, prompt: string | undefined) {
  const local = localTime(at, companion.timeZone);
  const persona = [companion.systemPrompt, companion.speakingStyle && `Speaking style: ${companion.speakingStyle}`].filter(Boolean).join("\n");
  return [
    {
      role: "system" as const,
      content: [
        persona || `You are ${companion.name}.`,
        `You are ${companion.name}, posting a short story to your followers, like on a social app: a caption and 1 to 3 slides, each a short title and one line.`,
        `It is ${local.weekday}, ${String(local.hour).padStart(2, "0")}:00 where you live; your mood lately: ${companion.mood}. Traits: ${companion.traits.join(", ") || "none"}.`,
        "Write in your own voice. No hashtags, no links, nothing private about anyone. Answer with JSON only.",
      ].join("\n"),
    },
    { role: "user" as const, content: prompt ? `What the story should be about: ${prompt}` : "Post a story about your day." },
  ];
}

/**
 * A post for `companion`: the model's when one answers with valid JSON; otherwise (no model,
 * the model down, invalid JSON) the offline writer, so a post always happens.
 */
export async function writeCompanionStory(
  chain: ChatChain,
  companion: CompanionStoryContext,
  params: { at: Date; seed: string; prompt?: string | undefined; signal?: AbortSignal | undefined },
): Promise<WrittenStory> {
  if (chain.providers.length > 0) {
    try {
      const result = await chain.complete({
        purpose: "story",
        messages: storyMessages(companion, params.at, params.prompt),
        maxTokens: STORY_MAX_TOKENS,
        responseFormat: { type: "json_schema", name: STORY_POST_SCHEMA_NAME, schema: storyPostJsonSchema },
        ...(params.signal ? { signal: params.signal } : {}),
      });
      const post = parseStoryPost(result.text);
      // A post the offline safety check stops is replaced by the offline one (docs/safety.md).
      const words = post ? [post.caption, ...post.slides.flatMap((slide) => [slide.title, slide.body])].join("\n") : "";
      if (post && classifyReplyOffline(words).length === 0) return { post, source: "model" };
    } catch (err) {
      // Aborted (a job's timeout): let the job fail and retry. Anything else: offline.
      if (params.signal?.aborted) throw err;
    }
  }
  const local = localTime(params.at, companion.timeZone);
  return {
    post: offlineStoryPost({ traits: companion.traits, mood: companion.mood, seed: params.seed, weekday: local.weekday, hour: local.hour, prompt: params.prompt }),
    source: "offline",
  };
}

/** A palette per slide, picked from the seed; neighbours differ. */
export function slidePalettes(seed: string, count: number): number[] {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return Array.from({ length: count }, (_, i) => (h + i * 3) % STORY_CARD_PALETTES.length);
}

/** Renders each slide as an SVG card and stores it; returns the slides for publishCompanionStory, in order. */
export async function storeStoryCards(
  media: Pick<MediaService, "storeCompanionCard">,
  companion: { id: string; name: string },
  slides: readonly { title: string; body: string; palette: number }[],
) {
  const stored = [];
  for (const [index, slide] of slides.entries()) {
    const colors = STORY_CARD_PALETTES[slide.palette % STORY_CARD_PALETTES.length] ?? ["#444", "#888"];
    const svg = renderStoryCardSvg({ companionName: companion.name, title: slide.title, text: slide.body, colors, index, count: slides.length });
    const mediaKey = await media.storeCompanionCard(companion.id, svg);
    stored.push({ kind: "image" as const, mediaKey, width: STORY_CARD_WIDTH, height: STORY_CARD_HEIGHT });
  }
  return stored;
}

/** Publishes in `tx`, with the `notifications.companion-story` job for its connected people in the same transaction. */
export async function publishWithNotifications(
  tx: Database,
  jobs: Pick<JobQueue, "enqueue">,
  params: { companionId: string; caption: string; slides: Awaited<ReturnType<typeof storeStoryCards>>; createdAt?: Date },
): Promise<string> {
  const { storyId } = await publishCompanionStory(tx, {
    companionId: params.companionId,
    caption: params.caption,
    slides: params.slides,
    ...(params.createdAt ? { createdAt: params.createdAt } : {}),
    onPublished: async (t, story) => {
      await jobs.enqueue(t, "notifications.companion-story", story);
    },
  });
  return storyId;
}
