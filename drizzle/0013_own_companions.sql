CREATE TABLE "reply_alternatives" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"user_message_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"content" text NOT NULL,
	"status" text NOT NULL,
	"provider" text,
	"model" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "companions_owner_idx";--> statement-breakpoint
ALTER TABLE "companion_personas" ADD COLUMN "personality" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "companion_personas" ADD COLUMN "scenario" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "companion_personas" ADD COLUMN "example_dialogues" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "companion_personas" ADD COLUMN "post_history_instructions" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "companion_personas" ADD COLUMN "catchphrases" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "companion_personas" ADD COLUMN "never_say" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "companion_personas" ADD COLUMN "character_book" jsonb;--> statement-breakpoint
ALTER TABLE "companion_personas" ADD COLUMN "extensions" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "companions" ADD COLUMN "avatar_key" text;--> statement-breakpoint
ALTER TABLE "companions" ADD COLUMN "visibility" text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "companions" ADD COLUMN "greeting" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "companions" ADD COLUMN "alternate_greetings" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "relationship_states" ADD COLUMN "last_message_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "relationship_states" ADD COLUMN "read_up_to" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "story_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "control_key" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "alternative" smallint;--> statement-breakpoint
ALTER TABLE "reply_alternatives" ADD CONSTRAINT "reply_alternatives_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reply_alternatives" ADD CONSTRAINT "reply_alternatives_user_message_id_messages_id_fk" FOREIGN KEY ("user_message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reply_alternatives_message_position_key" ON "reply_alternatives" USING btree ("user_message_id","position");--> statement-breakpoint
CREATE INDEX "reply_alternatives_user_idx" ON "reply_alternatives" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "relationship_states_inbox_idx" ON "relationship_states" USING btree ("user_id","last_message_at","companion_id");--> statement-breakpoint
CREATE INDEX "companions_owner_idx" ON "companions" USING btree ("owner_user_id","created_at","id");--> statement-breakpoint
ALTER TABLE "companions" ADD CONSTRAINT "companions_visibility_check" CHECK ("companions"."visibility" in ('private', 'unlisted', 'public'));--> statement-breakpoint
-- By hand (docs/companions.md): visibility replaces is_public (dropped in 0014, once the policy no longer reads it).
UPDATE companions SET visibility = CASE WHEN is_public THEN 'public' ELSE 'private' END;--> statement-breakpoint
-- An unlisted companion is readable by id by anyone signed in; listing only public ones is the queries' job.
DROP POLICY app_read ON companions;--> statement-breakpoint
CREATE POLICY app_read ON companions FOR SELECT TO companion_app
  USING (
    (select nullif(current_setting('app.current_user_id', true), '')::uuid) IS NOT NULL
    AND (visibility <> 'private' OR owner_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  );--> statement-breakpoint
-- A companion's owner writes its persona (system companions have no owner: nobody through the app).
GRANT INSERT, UPDATE, DELETE ON companion_personas TO companion_app;--> statement-breakpoint
CREATE POLICY app_write ON companion_personas FOR ALL TO companion_app
  USING (EXISTS (SELECT 1 FROM companions c WHERE c.id = companion_personas.companion_id
    AND c.owner_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)))
  WITH CHECK (EXISTS (SELECT 1 FROM companions c WHERE c.id = companion_personas.companion_id
    AND c.owner_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)));--> statement-breakpoint
ALTER TABLE reply_alternatives ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE reply_alternatives FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON reply_alternatives TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY app_owner ON reply_alternatives FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- The inbox (messages.conversations) orders by the newest message; every insert moves it forward.
CREATE OR REPLACE FUNCTION touch_conversation() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE relationship_states SET last_message_at = NEW.created_at
  WHERE user_id = NEW.user_id AND companion_id = NEW.companion_id
    AND (last_message_at IS NULL OR last_message_at < NEW.created_at);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER messages_touch_conversation AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION touch_conversation();--> statement-breakpoint
UPDATE relationship_states rs SET last_message_at = m.last_at
FROM (SELECT user_id, companion_id, max(created_at) AS last_at FROM messages GROUP BY user_id, companion_id) m
WHERE m.user_id = rs.user_id AND m.companion_id = rs.companion_id;
