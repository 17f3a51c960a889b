-- Hand-written, first: btree_gin lets one GIN index hold user_id next to the words, so a search
-- reads the owner's matches only, never everyone's (docs/search.md). A trusted contrib
-- extension, so the database owner may create it; PGlite loads it in packages/db/src/client.ts.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
-- Stored, like memories.search: matching and ranking read it instead of re-parsing every text.
-- Adding it rewrites the table once (docs/search.md, "Migrating a large table").
ALTER TABLE "messages" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', "messages"."content")) STORED;--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("user_id","search");
