CREATE TABLE "story_drafts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_user_id" uuid NOT NULL,
	"companion_id" uuid NOT NULL,
	"prompt" text,
	"caption" text NOT NULL,
	"slides" jsonb NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"story_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversation_summaries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"companion_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content" text NOT NULL,
	"covers_until" timestamp (3) with time zone NOT NULL,
	"covers_until_message_id" uuid NOT NULL,
	"message_count" integer NOT NULL,
	"method" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "digests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"companion_id" uuid NOT NULL,
	"week" text NOT NULL,
	"week_start" date NOT NULL,
	"stats" jsonb NOT NULL,
	"letter" text NOT NULL,
	"method" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "digests_week_format" CHECK ("digests"."week" ~ '^[0-9]{4}-W[0-9]{2}$')
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "about_me" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "quiet_start_minute" smallint DEFAULT 1320;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "quiet_end_minute" smallint DEFAULT 480;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "proactive_enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "companions" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "relationship_states" ADD COLUMN "proactive_enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "relationship_states" ADD COLUMN "proactive_unanswered" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "relationship_states" ADD COLUMN "last_proactive_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "proactive" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "memories" ADD COLUMN "source" text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE "memories" ADD COLUMN "importance" smallint DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE "memories" ADD COLUMN "last_used_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "memories" ADD COLUMN "fact_key" text;--> statement-breakpoint
ALTER TABLE "story_drafts" ADD CONSTRAINT "story_drafts_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_drafts" ADD CONSTRAINT "story_drafts_companion_id_companions_id_fk" FOREIGN KEY ("companion_id") REFERENCES "public"."companions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_drafts" ADD CONSTRAINT "story_drafts_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_summaries" ADD CONSTRAINT "conversation_summaries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_summaries" ADD CONSTRAINT "conversation_summaries_companion_id_companions_id_fk" FOREIGN KEY ("companion_id") REFERENCES "public"."companions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "digests" ADD CONSTRAINT "digests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "digests" ADD CONSTRAINT "digests_companion_id_companions_id_fk" FOREIGN KEY ("companion_id") REFERENCES "public"."companions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "story_drafts_owner_created_idx" ON "story_drafts" USING btree ("owner_user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "story_drafts_companion_idx" ON "story_drafts" USING btree ("companion_id");--> statement-breakpoint
CREATE UNIQUE INDEX "conversation_summaries_version_key" ON "conversation_summaries" USING btree ("user_id","companion_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "digests_user_companion_week_key" ON "digests" USING btree ("user_id","companion_id","week");--> statement-breakpoint
CREATE INDEX "digests_user_week_idx" ON "digests" USING btree ("user_id","week_start","id");--> statement-breakpoint
CREATE UNIQUE INDEX "memories_user_companion_fact_key" ON "memories" USING btree ("user_id","companion_id","fact_key") WHERE "memories"."fact_key" is not null;--> statement-breakpoint
ALTER TABLE "memories" ADD CONSTRAINT "memories_importance_range" CHECK ("memories"."importance" between 1 and 10);--> statement-breakpoint
-- By hand: the value sets Drizzle's text enums do not enforce, and Row Level Security for the
-- three new tables (docs/rls.md, "Adding a table"). Summaries and digests are written by jobs
-- (service code) and only read by their person; story drafts are the owner's own rows.
ALTER TABLE memories ADD CONSTRAINT memories_source_check CHECK (source IN ('manual', 'auto'));--> statement-breakpoint
ALTER TABLE story_drafts ADD CONSTRAINT story_drafts_status_check CHECK (status IN ('draft', 'published', 'discarded'));--> statement-breakpoint
ALTER TABLE users ADD CONSTRAINT users_quiet_minutes_range CHECK (quiet_start_minute BETWEEN 0 AND 1439 AND quiet_end_minute BETWEEN 0 AND 1439);--> statement-breakpoint
ALTER TABLE story_drafts ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_drafts FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE conversation_summaries ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE conversation_summaries FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE digests ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE digests FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON story_drafts TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON conversation_summaries TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON digests TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY app_owner ON story_drafts FOR ALL TO companion_app
  USING (owner_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (owner_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_read ON conversation_summaries FOR SELECT TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
REVOKE INSERT, UPDATE, DELETE ON conversation_summaries FROM companion_app;--> statement-breakpoint
CREATE POLICY app_read ON digests FOR SELECT TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
REVOKE INSERT, UPDATE, DELETE ON digests FROM companion_app;
