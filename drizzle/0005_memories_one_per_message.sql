-- One memory per saved message (createMemory inserts with ON CONFLICT on this index).
-- Before it, two concurrent saves of the same message could both insert. Such duplicates
-- are not deleted: the oldest stays linked (the one later saves were given back), the
-- others are unlinked and remain as free-text memories, with any edits or pins they got.
UPDATE "memories" SET "message_id" = NULL
WHERE "id" IN (
  SELECT d."id" FROM (
    SELECT "id", row_number() OVER (PARTITION BY "user_id", "message_id" ORDER BY "created_at", "id") AS "rn"
    FROM "memories"
    WHERE "message_id" IS NOT NULL
  ) d
  WHERE d."rn" > 1
);--> statement-breakpoint
-- message_id leads, so this index replaces memories_message_idx for the ON DELETE SET NULL
-- from messages and for messages.list's isMemorized probe.
CREATE UNIQUE INDEX "memories_message_user_key" ON "memories" USING btree ("message_id","user_id") WHERE "memories"."message_id" is not null;--> statement-breakpoint
DROP INDEX "memories_message_idx";
