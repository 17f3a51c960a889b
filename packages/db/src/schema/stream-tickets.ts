import { index, pgTable, uuid } from "drizzle-orm/pg-core";
import { ts } from "./columns.ts";
import { users } from "./users.ts";

/**
 * Stream tickets already redeemed. A ticket is a signed, 60-second token (packages/auth);
 * its id lands here on first use, so a second use of the same ticket is refused.
 */
export const usedStreamTickets = pgTable(
  "used_stream_tickets",
  {
    jti: uuid("jti").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The ticket's own expiry: past it the row can go, the signature refuses the ticket anyway. */
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("used_stream_tickets_expires_idx").on(t.expiresAt), index("used_stream_tickets_user_idx").on(t.userId)],
);
