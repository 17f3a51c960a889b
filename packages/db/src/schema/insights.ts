import { sql } from "drizzle-orm";
import { check, date, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { companions } from "./companions.ts";
import { createdAt, pk } from "./columns.ts";
import { users } from "./users.ts";

/** One person's week with one companion (docs/insights.md), written once per ISO week by the digest job. */
export const digests = pgTable(
  "digests",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    companionId: uuid("companion_id")
      .notNull()
      .references(() => companions.id, { onDelete: "cascade" }),
    /** ISO week, "2026-W49". */
    week: text("week").notNull(),
    /** Monday of that week (UTC), for ordering and keyset paging. */
    weekStart: date("week_start", { mode: "string" }).notNull(),
    stats: jsonb("stats").$type<Record<string, unknown>>().notNull(),
    letter: text("letter").notNull(),
    /** `model` or `template` (the offline default). */
    method: text("method").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("digests_user_companion_week_key").on(t.userId, t.companionId, t.week),
    index("digests_user_week_idx").on(t.userId, t.weekStart, t.id),
    check("digests_week_format", sql`${t.week} ~ '^[0-9]{4}-W[0-9]{2}$'`),
  ],
);
