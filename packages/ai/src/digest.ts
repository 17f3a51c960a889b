import { z } from "zod";
import type { ChatMessage } from "./types.ts";

/**
 * The companion's short letter in the weekly digest (docs/insights.md): the model prompt with
 * its JSON schema, the check of the answer, and the offline template filled from the stats.
 */

/** What the letter is written from: the week's numbers, never message text. */
interface DigestLetterStats {
  week: string;
  userMessages: number;
  companionMessages: number;
  daysTalked: number;
  streak: number;
  mood: { start: string | null; end: string | null };
  memories: { count: number; top: readonly string[] };
  topReactions: readonly { emoji: string; count: number }[];
}

export interface DigestLetterContext {
  companionName: string;
  traits: readonly string[];
  personName: string;
  stats: DigestLetterStats;
}

const DIGEST_LETTER_MAX_CHARS = 1200;

/** The structured answer the model must give. */
export const DIGEST_LETTER_SCHEMA = {
  type: "object",
  properties: { letter: { type: "string" } },
  required: ["letter"],
  additionalProperties: false,
} as const;

const letterAnswer = z.object({ letter: z.string().trim().min(1).max(DIGEST_LETTER_MAX_CHARS) });

export function buildDigestPrompt(context: DigestLetterContext): ChatMessage[] {
  const { stats } = context;
  return [
    {
      role: "system",
      content: [
        `You are ${context.companionName}, a companion in a chat app (traits: ${context.traits.join(", ") || "none"}).`,
        `Write ${context.personName} a short, warm letter (at most 120 words) about your week together, from the numbers below.`,
        'Answer as JSON: {"letter": "..."}.',
      ].join(" "),
    },
    {
      role: "user",
      content: JSON.stringify({
        week: stats.week,
        messagesFromThem: stats.userMessages,
        messagesFromYou: stats.companionMessages,
        daysTalked: stats.daysTalked,
        streakDays: stats.streak,
        mood: stats.mood,
        memoriesMade: stats.memories.count,
        thingsYouLearned: stats.memories.top,
        theirTopReactions: stats.topReactions,
      }),
    },
  ];
}

/** The letter from the model's answer, or null when it is not the JSON asked for. */
export function parseDigestLetter(text: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = letterAnswer.safeParse(json);
  return parsed.success ? parsed.data.letter : null;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The offline letter: the week's numbers in the companion's voice. */
export function offlineDigestLetter(context: DigestLetterContext): string {
  const { stats } = context;
  const lines = [`Dear ${context.personName},`];
  lines.push(
    `this week we talked on ${plural(stats.daysTalked, "day")}: you sent me ${plural(stats.userMessages, "message")} and I wrote back ${plural(stats.companionMessages, "time")}.`,
  );
  if (stats.streak > 1) lines.push(`That's a ${stats.streak}-day streak. Let's keep it going!`);
  if (stats.memories.count > 0) {
    const first = stats.memories.top[0];
    lines.push(`I learned ${plural(stats.memories.count, "new thing")} about you${first ? `, like this: "${first.replace(/[.!?]+$/, "")}"` : ""}.`);
  }
  const reaction = stats.topReactions[0];
  if (reaction) lines.push(`Your favourite reaction to my stories was ${reaction.emoji}.`);
  if (stats.mood.end) lines.push(stats.mood.end === stats.mood.start || !stats.mood.start ? `I ended the week feeling ${stats.mood.end}.` : `I started the week ${stats.mood.start} and ended it ${stats.mood.end}.`);
  lines.push(`Talk soon,\n${context.companionName}`);
  return lines.join("\n");
}
