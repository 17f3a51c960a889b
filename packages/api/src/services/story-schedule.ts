/**
 * When system companions post stories (docs/stories.md#schedule): a plan per companion and
 * local day, deterministic from (companion id, local date), of 1–3 times within the persona's
 * waking hours in its time zone, and the rule that says whether a post is due now.
 */
import { hashSeed, seededRandom } from "@companion/ai";

export interface LocalTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  weekday: string;
  hour: number;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", weekday: "long" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** A stored zone that Intl does not know is treated as UTC rather than failing the sweep. */
function validTimeZone(timeZone: string): string {
  try {
    formatterFor(timeZone);
    return timeZone;
  } catch {
    return "UTC";
  }
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = Object.fromEntries(formatterFor(validTimeZone(timeZone)).formatToParts(at).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: parts.weekday ?? "", hour, minuteOfDay: hour * 60 + Number(parts.minute) };
}

/** The instant at which the zone's clock shows `date` 00:00 plus `minutes` (DST days are off by the shift, at most an hour). */
function zonedInstant(date: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  // The zone's offset at a guess, applied twice so that a guess across a DST change settles.
  const offsetAt = (t: number) => {
    const l = localTime(new Date(t), timeZone);
    const [ly, lm, ld] = l.date.split("-").map(Number) as [number, number, number];
    return Date.UTC(ly, lm - 1, ld, 0, l.minuteOfDay) - Math.floor(t / 60_000) * 60_000;
  };
  let t = wall - offsetAt(wall);
  t = wall - offsetAt(t);
  return new Date(t);
}

/** Waking hours by persona: a night owl posts later, an early riser earlier (minutes of the local day). */
export function postingWindow(traits: readonly string[]): { start: number; end: number } {
  const has = (names: string[]) => traits.some((t) => names.includes(t.toLowerCase()));
  if (has(["night owl", "night-owl", "nocturnal", "creative"])) return { start: 11 * 60, end: 24 * 60 };
  if (has(["early bird", "early-bird", "energetic", "athletic"])) return { start: 6 * 60, end: 21 * 60 };
  return { start: 8 * 60, end: 23 * 60 };
}

export interface StoryPlan {
  local: LocalTime;
  dayStart: Date;
  dayEnd: Date;
  /** 1–3 instants, ascending, within the posting window of the local day. */
  slots: Date[];
  window: { start: number; end: number };
}

export function storyPlan(params: { companionId: string; timeZone: string; traits: readonly string[]; at: Date }): StoryPlan {
  const zone = validTimeZone(params.timeZone);
  const local = localTime(params.at, zone);
  const window = postingWindow(params.traits);
  const random = seededRandom(hashSeed(`${params.companionId}:${local.date}`));
  const count = 1 + Math.floor(random() * 3);
  const minutes = Array.from({ length: count }, () => window.start + Math.floor(random() * (window.end - window.start))).sort((a, b) => a - b);
  const [y, m, d] = local.date.split("-").map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return {
    local,
    dayStart: zonedInstant(local.date, 0, zone),
    dayEnd: zonedInstant(next, 0, zone),
    slots: minutes.map((min) => zonedInstant(local.date, min, zone)),
    window,
  };
}

/** The shortest time between two posts of one companion. */
const MIN_POST_GAP_MS = 60 * 60_000;

/**
 * Due when a planned time has passed that no post of today answered yet; or, to keep the feed
 * alive, when the companion has no live story and posts left today (within its waking hours,
 * unless it never posted: a fresh database gets a feed at once). Never more than the plan.
 */
export function isStoryDue(
  plan: StoryPlan,
  state: { postedInDay: number; hasLive: boolean; hasAny: boolean; lastPostedMs?: number | null },
  at: Date,
): boolean {
  if (state.postedInDay >= plan.slots.length) return false;
  // Two posts are never closer than this: catching up after downtime spreads out, and publish
  // jobs racing for two passed slots post once (the second finds the first's story).
  if (state.lastPostedMs !== null && state.lastPostedMs !== undefined && Math.abs(at.getTime() - state.lastPostedMs) < MIN_POST_GAP_MS) return false;
  const passed = plan.slots.filter((s) => s.getTime() <= at.getTime()).length;
  if (passed > state.postedInDay) return true;
  const awake = plan.local.minuteOfDay >= plan.window.start && plan.local.minuteOfDay < plan.window.end;
  return !state.hasLive && (awake || !state.hasAny);
}
