import type { UserSettings } from "@companion/db";
import type { Settings } from "@companion/validators";

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/** "HH:MM" to minutes after midnight (the input schema has checked the form). */
export const minuteOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Quiet hours as "HH:MM" pairs; null when off. */
export const toWireQuietHours = (start: number | null, end: number | null): Settings["quietHours"] =>
  start === null || end === null ? null : { start: clock(start), end: clock(end) };

export function toWireSettings(s: UserSettings): Settings {
  return {
    aboutMe: s.aboutMe,
    timeZone: s.timeZone,
    quietHours: toWireQuietHours(s.quietStartMinute, s.quietEndMinute),
    proactiveEnabled: s.proactiveEnabled,
  };
}
