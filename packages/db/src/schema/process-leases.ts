import { index, pgTable, uuid } from "drizzle-orm/pg-core";
import { createdAt, ts } from "./columns.ts";

/**
 * One row per live server process, renewed every few seconds. A chat exchange records the
 * process answering it (messages.owner_process); once that process's lease has lapsed, a
 * retry answers the message itself instead of waiting (docs/ai.md, "After a crash").
 */
export const processLeases = pgTable(
  "process_leases",
  {
    id: uuid("id").primaryKey(),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("process_leases_expires_idx").on(t.expiresAt)],
);
