import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  BASELINE,
  RELATIONSHIP_MOODS,
  advanceRelationship,
  applyInteraction,
  currentRelationship,
  decay,
  deriveMood,
  utcDay,
  type RelationshipSnapshot,
} from "./model.ts";

const t0 = new Date("2026-03-01T12:00:00.000Z");
const days = (n: number) => new Date(t0.getTime() + n * 86_400_000);
const state = (over: Partial<RelationshipSnapshot> = {}): RelationshipSnapshot => ({
  ...BASELINE,
  interactionCount: 0,
  lastInteractionAt: t0,
  ...over,
});

describe("applyInteraction", () => {
  it("a neutral message raises affection, trust and energy by the base effect and counts it", () => {
    const next = applyInteraction(state(), { kind: "message", at: days(0.5) });
    expect(next).toMatchObject({ affection: 52, trust: 51, energy: 53, interactionCount: 1, lastInteractionAt: days(0.5) });
  });

  it("sentiment shifts the effect: a hostile message lowers affection, a warm one raises it more", () => {
    const hostile = applyInteraction(state(), { kind: "message", sentiment: -1, at: t0 });
    const warm = applyInteraction(state(), { kind: "message", sentiment: 1, at: t0 });
    expect(hostile).toMatchObject({ affection: 48, trust: 49, energy: 51 });
    expect(warm).toMatchObject({ affection: 56, trust: 53, energy: 55 });
  });

  it("clamps sentiment to -1..1 and treats NaN as neutral", () => {
    expect(applyInteraction(state(), { kind: "message", sentiment: 9, at: t0 })).toMatchObject({ affection: 56 });
    expect(applyInteraction(state(), { kind: "message", sentiment: Number.NaN, at: t0 })).toMatchObject({ affection: 52 });
  });

  it("a memory builds trust most, a reaction affection and energy", () => {
    expect(applyInteraction(state(), { kind: "memory", at: t0 })).toMatchObject({ affection: 51, trust: 53, energy: 51 });
    expect(applyInteraction(state(), { kind: "reaction", at: t0 })).toMatchObject({ affection: 52, trust: 50, energy: 52 });
  });

  it("keeps scores within 0..100", () => {
    const high = applyInteraction(state({ affection: 99, trust: 100, energy: 98 }), { kind: "message", sentiment: 1, at: t0 });
    const low = applyInteraction(state({ affection: 1, trust: 0, energy: 0 }), { kind: "message", sentiment: -1, at: t0 });
    expect(high).toMatchObject({ affection: 100, trust: 100, energy: 100 });
    expect(low).toMatchObject({ affection: 0, trust: 0, energy: 1 });
  });

  it("never moves the last interaction time backwards", () => {
    const next = applyInteraction(state({ lastInteractionAt: days(2) }), { kind: "reaction", at: days(1) });
    expect(next.lastInteractionAt).toEqual(days(2));
  });

  it("preserves extra fields of the state it is given", () => {
    const next = applyInteraction({ ...state(), id: "row-1" }, { kind: "reaction", at: t0 });
    expect(next.id).toBe("row-1");
  });
});

describe("decay", () => {
  it("does nothing within the first day, nor for a state that never interacted", () => {
    const s = state({ affection: 90 });
    expect(decay(s, days(0.99))).toEqual(s);
    const fresh = state({ affection: 90, lastInteractionAt: null });
    expect(decay(fresh, days(30))).toEqual(fresh);
  });

  it("moves each score toward the baseline by its daily rate per whole day", () => {
    expect(decay(state({ affection: 90, trust: 90, energy: 90 }), days(3.5))).toMatchObject({ affection: 84, trust: 87, energy: 75 });
  });

  it("pulls low scores up toward the baseline too", () => {
    expect(decay(state({ affection: 10, trust: 10, energy: 10 }), days(2))).toMatchObject({ affection: 14, trust: 12, energy: 20 });
  });

  it("never crosses the baseline", () => {
    expect(decay(state({ affection: 90, trust: 20, energy: 95 }), days(365))).toMatchObject(BASELINE);
  });

  it("treats a clock earlier than the last interaction as no absence", () => {
    const s = state({ affection: 90 });
    expect(decay(s, days(-5))).toEqual(s);
  });
});

describe("deriveMood", () => {
  it("is neutral before any interaction", () => {
    expect(deriveMood(state({ lastInteractionAt: null, affection: 100, energy: 100 }), t0)).toBe("neutral");
  });

  it("recency wins over scores: lonely after 2 days, distant after 7", () => {
    const warm = state({ affection: 95, trust: 95, energy: 95 });
    expect(deriveMood(warm, days(1.9))).toBe("excited");
    expect(deriveMood(warm, days(2))).toBe("lonely");
    expect(deriveMood(warm, days(6.9))).toBe("lonely");
    expect(deriveMood(warm, days(7))).toBe("distant");
  });

  it("maps scores to labels in rule order", () => {
    expect(deriveMood(state({ affection: 60, trust: 10, energy: 75 }), t0)).toBe("excited");
    expect(deriveMood(state({ affection: 70, trust: 60, energy: 40 }), t0)).toBe("joyful");
    expect(deriveMood(state({ affection: 29, trust: 80, energy: 80 }), t0)).toBe("distant");
    expect(deriveMood(state({ affection: 50, trust: 24, energy: 80 }), t0)).toBe("distant");
    expect(deriveMood(state({ affection: 60, trust: 55, energy: 50 }), t0)).toBe("content");
    expect(deriveMood(state({ affection: 50, trust: 50, energy: 50 }), t0)).toBe("neutral");
  });

  it("only ever returns a known label", () => {
    for (let a = 0; a <= 100; a += 10) {
      for (let e = 0; e <= 100; e += 10) {
        expect(RELATIONSHIP_MOODS).toContain(deriveMood(state({ affection: a, trust: 100 - a, energy: e }), days(e / 10)));
      }
    }
  });
});

describe("composed steps", () => {
  it("advanceRelationship decays to the interaction time before applying it", () => {
    const next = advanceRelationship(state({ affection: 80, trust: 50, energy: 80 }), { kind: "message", at: days(3) });
    // affection 80 -6 +2, trust 50 +1, energy 80 -15 +3; the interaction makes it recent again.
    expect(next).toMatchObject({ affection: 76, trust: 51, energy: 68, mood: "content", lastInteractionAt: days(3) });
  });

  it("currentRelationship shows decayed scores and mood without moving the interaction time", () => {
    const view = currentRelationship(state({ affection: 80, trust: 70, energy: 90 }), days(3));
    expect(view).toMatchObject({ affection: 74, trust: 67, energy: 75, mood: "lonely", lastInteractionAt: t0 });
  });

  it("utcDay uses the UTC calendar day", () => {
    expect(utcDay(new Date("2026-03-01T23:30:00-05:00"))).toBe("2026-03-02");
  });
});

describe("mood vocabulary", () => {
  // packages/db cannot import packages/ai, so the shared labels are pinned by reading its source.
  it("matches MOOD_LABELS in packages/ai/src/mood.ts", async () => {
    const source = await readFile(new URL("../../../ai/src/mood.ts", import.meta.url), "utf8");
    const literal = /MOOD_LABELS = \[([^\]]*)\]/.exec(source)?.[1];
    expect(literal).toBeDefined();
    const labels = [...(literal ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(labels).toEqual([...RELATIONSHIP_MOODS]);
  });
});
