import { sql } from "drizzle-orm";
import { bigint, bigserial, check, index, jsonb, pgTable, smallint, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.ts";
import { users } from "./users.ts";

/**
 * Outbox of realtime events. Written before delivery, so a subscriber that reconnects
 * with its last event id can be replayed what it missed; the serial id orders them.
 */
export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("events_user_id_idx").on(t.userId, t.id)],
);

/**
 * How far retention has deleted `events` (one row, raised by pruneEvents): a subscriber resuming
 * below it is told to resync (docs/realtime.md). Readable by all users, written by service code.
 */
export const eventRetention = pgTable(
  "event_retention",
  {
    id: smallint("id").primaryKey().default(1),
    prunedThroughId: bigint("pruned_through_id", { mode: "number" }).notNull(),
  },
  (t) => [check("event_retention_one_row", sql`${t.id} = 1`)],
);
