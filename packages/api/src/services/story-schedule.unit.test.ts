import { describe, expect, it } from "vitest";
import { isStoryDue, localTime, postingWindow, storyPlan } from "./story-schedule.ts";

const DAY = 86_400_000;
const companionIds = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

describe("the daily story plan", () => {
  it("has 1–3 slots per local day, inside the persona's waking hours, the same on every call", () => {
    const counts = [0, 0, 0, 0];
    for (const id of companionIds) {
      for (let d = 0; d < 30; d++) {
        const at = new Date(Date.UTC(2026, 2, 1) + d * DAY + 12 * 3_600_000);
        for (const [zone, traits] of [["Europe/Berlin", ["calm"]], ["America/Denver", ["energetic"]], ["Asia/Tokyo", ["creative"]]] as const) {
          const plan = storyPlan({ companionId: id, timeZone: zone, traits, at });
          expect(storyPlan({ companionId: id, timeZone: zone, traits, at })).toEqual(plan);
          expect(plan.slots.length).toBeGreaterThanOrEqual(1);
          expect(plan.slots.length).toBeLessThanOrEqual(3);
          counts[plan.slots.length] = (counts[plan.slots.length] ?? 0) + 1;
          const window = postingWindow(traits);
          for (const slot of plan.slots) {
            const local = localTime(slot, zone);
            expect(local.date).toBe(plan.local.date);
            expect(local.minuteOfDay).toBeGreaterThanOrEqual(window.start);
            expect(local.minuteOfDay).toBeLessThan(window.end);
            expect(slot.getTime()).toBeGreaterThanOrEqual(plan.dayStart.getTime());
            expect(slot.getTime()).toBeLessThan(plan.dayEnd.getTime());
          }
        }
      }
    }
    // Every count happens (the spread is the seeded random's, about a third each).
    expect(counts.slice(1).every((n) => n > 300)).toBe(true);
  });

  it("local days follow the zone, DST days included (23 and 25 hours)", () => {
    const spring = storyPlan({ companionId: companionIds[0] ?? "", timeZone: "Europe/Berlin", traits: [], at: new Date("2026-03-29T12:00:00Z") });
    expect(spring.local.date).toBe("2026-03-29");
    expect(spring.dayStart.toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(spring.dayEnd.getTime() - spring.dayStart.getTime()).toBe(23 * 3_600_000);
    const autumn = storyPlan({ companionId: companionIds[0] ?? "", timeZone: "Europe/Berlin", traits: [], at: new Date("2026-10-25T12:00:00Z") });
    expect(autumn.dayEnd.getTime() - autumn.dayStart.getTime()).toBe(25 * 3_600_000);
    // An unknown zone is UTC rather than a failed sweep.
    expect(storyPlan({ companionId: companionIds[0] ?? "", timeZone: "Mars/Olympus", traits: [], at: new Date("2026-05-01T00:30:00Z") }).dayStart.toISOString()).toBe("2026-05-01T00:00:00.000Z");
  });

  it("is due once per passed slot, never past the plan, and early only to fill an empty feed", () => {
    const at = new Date("2026-05-01T12:00:00Z");
    const plan = storyPlan({ companionId: companionIds[1] ?? "", timeZone: "UTC", traits: [], at });
    const end = new Date(plan.dayEnd.getTime() - 1);
    const live = { hasLive: true, hasAny: true };
    // At the end of the day every slot has passed: due until as many posts as slots.
    for (let posted = 0; posted < plan.slots.length; posted++) expect(isStoryDue(plan, { postedInDay: posted, ...live }, end)).toBe(true);
    expect(isStoryDue(plan, { postedInDay: plan.slots.length, ...live }, end)).toBe(false);
    expect(isStoryDue(plan, { postedInDay: plan.slots.length, hasLive: false, hasAny: true }, end)).toBe(false);
    // Never within an hour of the last post, even with slots to catch up on; an hour later, due.
    expect(isStoryDue(plan, { postedInDay: 0, ...live, lastPostedMs: end.getTime() - 59 * 60_000 }, end)).toBe(false);
    expect(isStoryDue(plan, { postedInDay: 0, ...live, lastPostedMs: end.getTime() - 61 * 60_000 }, end)).toBe(true);
    // Before the first slot, with a live story: not due; without one, during waking hours: due.
    const first = plan.slots[0] ?? at;
    const before = new Date(Math.max(plan.dayStart.getTime() + 8 * 3_600_000, first.getTime() - 60_000));
    if (before < first) {
      const early = storyPlan({ companionId: companionIds[1] ?? "", timeZone: "UTC", traits: [], at: before });
      expect(isStoryDue(early, { postedInDay: 0, ...live }, before)).toBe(false);
      expect(isStoryDue(early, { postedInDay: 0, hasLive: false, hasAny: true }, before)).toBe(true);
    }
    // At 03:00, outside waking hours: only a companion that never posted fills its feed.
    const night = new Date(plan.dayStart.getTime() + 3 * 3_600_000);
    const nightPlan = storyPlan({ companionId: companionIds[1] ?? "", timeZone: "UTC", traits: [], at: night });
    expect(isStoryDue(nightPlan, { postedInDay: 0, hasLive: false, hasAny: true }, night)).toBe(false);
    expect(isStoryDue(nightPlan, { postedInDay: 0, hasLive: false, hasAny: false }, night)).toBe(true);
  });
});
