/**
 * The companion mood vocabulary. Other modules (relationship state, validators) should
 * import this list rather than repeat it, so the offline fallback tables and the prompt
 * always agree with what is stored.
 */
export const MOOD_LABELS = ["joyful", "excited", "content", "neutral", "lonely", "distant"] as const;

export type MoodLabel = (typeof MOOD_LABELS)[number];

const moodSet: ReadonlySet<string> = new Set(MOOD_LABELS);

export function isMoodLabel(value: string): value is MoodLabel {
  return moodSet.has(value);
}

/** Stored moods are plain text; anything unknown is treated as "neutral" rather than failing a reply. */
export function toMoodLabel(value: string): MoodLabel {
  const normalized = value.trim().toLowerCase();
  return isMoodLabel(normalized) ? normalized : "neutral";
}
