import { z } from "zod";
import { text } from "./common.ts";

/** Longest "about me": a short profile, always in the prompt within its own budget (docs/memory.md). */
const ABOUT_ME_MAX = 1000;

/** "HH:MM", 24-hour, in the person's own time zone. */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "Expected HH:MM (00:00–23:59)" });

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};
export const timeZone = text()
  .min(1)
  .max(64)
  .refine(isTimeZone, { message: "Unknown IANA time zone (e.g. Europe/Lisbon)" });

/** From `start` to `end` (wrapping midnight when start > end) no companion writes first. */
export const quietHours = z.object({ start: clockTime, end: clockTime }).refine((q) => q.start !== q.end, { message: "start and end must differ" });

const settings = z.object({
  /** What every companion always knows about me ("" when unset). */
  aboutMe: z.string(),
  /** IANA time zone: quiet hours and "today" are mine, not the server's. */
  timeZone: z.string(),
  /** null: no quiet hours. */
  quietHours: z.object({ start: clockTime, end: clockTime }).nullable(),
  /** false: no companion writes first to me. */
  proactiveEnabled: z.boolean(),
});
export type Settings = z.infer<typeof settings>;

export const settingsGetOutput = settings;

/** Fields left out keep their value; `quietHours: null` turns quiet hours off. */
export const settingsUpdateInput = z
  .object({
    aboutMe: text().trim().max(ABOUT_ME_MAX).optional(),
    timeZone: timeZone.optional(),
    quietHours: quietHours.nullable().optional(),
    proactiveEnabled: z.boolean().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "Nothing to update" });
export const settingsUpdateOutput = settings;
