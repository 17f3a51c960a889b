import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, ts } from "./columns.ts";
import { users } from "./users.ts";

/** Media a user asked to upload; a story may only reference keys its author uploaded. */
export const mediaUploads = pgTable(
  "media_uploads",
  {
    key: text("key").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    createdAt: createdAt(),
    uploadedAt: ts("uploaded_at"),
  },
  (t) => [index("media_uploads_user_idx").on(t.userId, t.createdAt)],
);
