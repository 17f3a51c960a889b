-- Hand-written, first: btree_gin lets one GIN index hold user_id next to the words, so a search
-- reads the owner's matches only, never everyone's (docs/search.md). A trusted contrib
-- extension, so the database owner may create it; PGlite loads it in packages/db/src/client.ts.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
-- Stored, like memories.search: matching and ranking read it instead of re-parsing every text.
-- Adding it rewrites the table once; IF NOT EXISTS so that an operator may run both statements
-- beforehand, the index CONCURRENTLY (docs/search.md, "Migrating a large table").
ALTER TABLE "messages" ADD COLUMN IF NOT EXISTS "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', "messages"."content")) STORED;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "messages_search_idx" ON "messages" USING gin ("user_id","search");
--> statement-breakpoint
-- Search embeddings (docs/search.md, "Hybrid"), only where the vector extension ships (PGlite
-- loads it; most hosted Postgres have it). Not in the Drizzle schema, since they may not exist:
-- queries/search-embeddings.ts reaches them by raw SQL once to_regclass finds them. Written by
-- the search.embed job (service code), read by their person; one row per source row and model,
-- the dimension not fixed, so a new model adds rows beside the old instead of a migration.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE memory_embeddings (
      memory_id uuid NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      model text NOT NULL,
      embedding vector NOT NULL,
      created_at timestamp (3) with time zone DEFAULT now() NOT NULL,
      PRIMARY KEY (memory_id, model)
    );
    CREATE INDEX memory_embeddings_user_idx ON memory_embeddings (user_id, model);
    CREATE TABLE message_embeddings (
      message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      model text NOT NULL,
      embedding vector NOT NULL,
      created_at timestamp (3) with time zone DEFAULT now() NOT NULL,
      PRIMARY KEY (message_id, model)
    );
    CREATE INDEX message_embeddings_user_idx ON message_embeddings (user_id, model);
    ALTER TABLE memory_embeddings ENABLE ROW LEVEL SECURITY;
    ALTER TABLE memory_embeddings FORCE ROW LEVEL SECURITY;
    ALTER TABLE message_embeddings ENABLE ROW LEVEL SECURITY;
    ALTER TABLE message_embeddings FORCE ROW LEVEL SECURITY;
    CREATE POLICY service_access ON memory_embeddings TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));
    CREATE POLICY service_access ON message_embeddings TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));
    CREATE POLICY app_read ON memory_embeddings FOR SELECT TO companion_app
      USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));
    CREATE POLICY app_read ON message_embeddings FOR SELECT TO companion_app
      USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));
    REVOKE INSERT, UPDATE, DELETE ON memory_embeddings FROM companion_app;
    REVOKE INSERT, UPDATE, DELETE ON message_embeddings FROM companion_app;
  END IF;
END $$;
