/**
 * The relationship model: how a user's interactions with a companion move its scores,
 * how absence decays them, and which mood label they add up to. Pure (no I/O, no clock):
 * every function takes the time it should reason about, so the rules are unit-testable
 * and the AI-chat work can feed in sentiment from its model. docs/relationship-model.md
 * is the readable version of the tables below; keep both in step.
 */

/**
 * Mood labels. The same strings as `MOOD_LABELS` in packages/ai/src/mood.ts (the offline
 * fallback lines and the prompt are keyed by them). Repeated rather than imported because
 * packages/db must not depend on packages/ai; a unit test pins the two lists together.
 */
export const RELATIONSHIP_MOODS = ["joyful", "excited", "content", "neutral", "lonely", "distant"] as const;
export type RelationshipMood = (typeof RELATIONSHIP_MOODS)[number];

export type InteractionKind = "message" | "reaction" | "memory";

export interface RelationshipScores {
  affection: number;
  trust: number;
  energy: number;
}

export interface RelationshipSnapshot extends RelationshipScores {
  interactionCount: number;
  lastInteractionAt: Date | null;
}

export interface Interaction {
  kind: InteractionKind;
  /** -1 (hostile) .. 1 (warm); absent means neutral. Out-of-range values are clamped. */
  sentiment?: number | undefined;
  at: Date;
}

const SCORE_MIN = 0;
const SCORE_MAX = 100;

/** Where absence pulls each score back to; also the score of a fresh connection (the column default). */
export const BASELINE: Readonly<RelationshipScores> = { affection: 50, trust: 50, energy: 50 };

/**
 * Points per whole day of absence that each score moves toward its baseline. Energy fades
 * fastest (a companion gets quiet), trust slowest (it is earned and kept).
 */
const DECAY_PER_DAY: Readonly<RelationshipScores> = { affection: 2, trust: 1, energy: 5 };

/**
 * Score change per interaction: `base + sentimentWeight * sentiment`, rounded, then clamped
 * to 0..100. A message's tone matters most; a saved memory is the strongest sign of trust.
 */
const INTERACTION_EFFECTS: Readonly<Record<InteractionKind, { base: RelationshipScores; sentimentWeight: RelationshipScores }>> = {
  message: { base: { affection: 2, trust: 1, energy: 3 }, sentimentWeight: { affection: 4, trust: 2, energy: 2 } },
  reaction: { base: { affection: 2, trust: 0, energy: 2 }, sentimentWeight: { affection: 2, trust: 1, energy: 1 } },
  memory: { base: { affection: 1, trust: 3, energy: 1 }, sentimentWeight: { affection: 1, trust: 1, energy: 0 } },
};

/** Recency thresholds for the mood label, in whole days since the last interaction. */
const LONELY_AFTER_DAYS = 2;
const DISTANT_AFTER_DAYS = 7;

const DAY_MS = 86_400_000;
const SCORE_KEYS = ["affection", "trust", "energy"] as const;

function clampScore(value: number): number {
  if (Number.isNaN(value)) return BASELINE.affection;
  return Math.min(SCORE_MAX, Math.max(SCORE_MIN, Math.round(value)));
}

function clampSentiment(value: number | undefined): number {
  if (value === undefined || Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(-1, value));
}

/** Whole days from `from` to `to`; 0 when `to` is earlier (clock skew must not decay anything). */
function wholeDaysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}

/**
 * Scores as they stand at `now`, after absence since `lastInteractionAt`. Each score
 * moves `DECAY_PER_DAY` points per whole day toward `BASELINE` and never crosses it.
 * Not idempotent across calls (it does not move `lastInteractionAt`): apply it once, to
 * the stored state, at read time or right before an interaction.
 */
export function decay<S extends RelationshipSnapshot>(state: S, now: Date): S {
  if (!state.lastInteractionAt) return state;
  const days = wholeDaysBetween(state.lastInteractionAt, now);
  if (days === 0) return state;
  const next = { ...state };
  for (const key of SCORE_KEYS) {
    const gap = BASELINE[key] - state[key];
    const step = Math.min(Math.abs(gap), DECAY_PER_DAY[key] * days);
    next[key] = clampScore(state[key] + Math.sign(gap) * step);
  }
  return next;
}

/**
 * One interaction's effect. Call it on an already-decayed state (see `decay`). The last
 * interaction time never moves backwards, so a late-arriving event cannot revive decay.
 */
export function applyInteraction<S extends RelationshipSnapshot>(state: S, interaction: Interaction): S {
  const effect = INTERACTION_EFFECTS[interaction.kind];
  const sentiment = clampSentiment(interaction.sentiment);
  const next = { ...state };
  for (const key of SCORE_KEYS) {
    next[key] = clampScore(state[key] + effect.base[key] + effect.sentimentWeight[key] * sentiment);
  }
  next.interactionCount = state.interactionCount + 1;
  next.lastInteractionAt =
    state.lastInteractionAt && state.lastInteractionAt.getTime() > interaction.at.getTime() ? state.lastInteractionAt : interaction.at;
  return next;
}

/**
 * The mood label for (already decayed) scores at `now`. The first matching rule wins:
 * recency first (a long silence colours everything), then the scores.
 */
export function deriveMood(state: RelationshipSnapshot, now: Date): RelationshipMood {
  if (!state.lastInteractionAt) return "neutral";
  const idleDays = wholeDaysBetween(state.lastInteractionAt, now);
  if (idleDays >= DISTANT_AFTER_DAYS) return "distant";
  if (idleDays >= LONELY_AFTER_DAYS) return "lonely";
  if (state.energy >= 75 && state.affection >= 60) return "excited";
  if (state.affection >= 70 && state.trust >= 60) return "joyful";
  if (state.affection < 30 || state.trust < 25) return "distant";
  if ((state.affection + state.trust + state.energy) / 3 >= 55) return "content";
  return "neutral";
}

/** The state a reader should see at `now`: decayed scores plus the mood they derive. */
export function currentRelationship<S extends RelationshipSnapshot>(state: S, now: Date): S & { mood: RelationshipMood } {
  const decayed = decay(state, now);
  return { ...decayed, mood: deriveMood(decayed, now) };
}

/** Decay to `interaction.at`, apply the interaction, derive the mood: what an interaction writes. */
export function advanceRelationship<S extends RelationshipSnapshot>(state: S, interaction: Interaction): S & { mood: RelationshipMood } {
  const next = applyInteraction(decay(state, interaction.at), interaction);
  return { ...next, mood: deriveMood(next, interaction.at) };
}

/** UTC calendar day (YYYY-MM-DD) of an instant: mood history and insights count days in UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
