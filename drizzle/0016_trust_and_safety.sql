CREATE TABLE "blocks" (
	"blocker_id" uuid NOT NULL,
	"blocked_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "blocks_blocker_id_blocked_id_pk" PRIMARY KEY("blocker_id","blocked_id"),
	CONSTRAINT "blocks_not_self" CHECK ("blocks"."blocker_id" <> "blocks"."blocked_id")
);
--> statement-breakpoint
CREATE TABLE "mutes" (
	"muter_id" uuid NOT NULL,
	"muted_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mutes_muter_id_muted_id_pk" PRIMARY KEY("muter_id","muted_id"),
	CONSTRAINT "mutes_not_self" CHECK ("mutes"."muter_id" <> "mutes"."muted_id")
);
--> statement-breakpoint
CREATE TABLE "data_exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"storage_key" text,
	"bytes" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone,
	"expires_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "mail_outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"to_address" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "password_reset_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reporter_id" uuid,
	"target_kind" text NOT NULL,
	"target_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"note" text,
	"snapshot" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	"resolved_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "security_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"kind" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session_revocations" (
	"family_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"revoked_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_quotas" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"messages_per_day" integer,
	"tokens_per_day" integer,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar_key" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "language" text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE "companions" ADD COLUMN "hidden_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "stories" ADD COLUMN "hidden_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "flagged" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "hidden_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_blocker_id_users_id_fk" FOREIGN KEY ("blocker_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_blocked_id_users_id_fk" FOREIGN KEY ("blocked_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mutes" ADD CONSTRAINT "mutes_muter_id_users_id_fk" FOREIGN KEY ("muter_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mutes" ADD CONSTRAINT "mutes_muted_id_users_id_fk" FOREIGN KEY ("muted_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "data_exports" ADD CONSTRAINT "data_exports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_reset_tokens" ADD CONSTRAINT "password_reset_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_reporter_id_users_id_fk" FOREIGN KEY ("reporter_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "security_events" ADD CONSTRAINT "security_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_quotas" ADD CONSTRAINT "user_quotas_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "blocks_blocker_page_idx" ON "blocks" USING btree ("blocker_id","created_at","blocked_id");--> statement-breakpoint
CREATE INDEX "blocks_blocked_idx" ON "blocks" USING btree ("blocked_id","blocker_id");--> statement-breakpoint
CREATE INDEX "mutes_muter_page_idx" ON "mutes" USING btree ("muter_id","created_at","muted_id");--> statement-breakpoint
CREATE INDEX "data_exports_user_created_idx" ON "data_exports" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "mail_outbox_created_idx" ON "mail_outbox" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "password_reset_tokens_hash_key" ON "password_reset_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "password_reset_tokens_user_idx" ON "password_reset_tokens" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reports_reporter_target_key" ON "reports" USING btree ("reporter_id","target_kind","target_id");--> statement-breakpoint
CREATE INDEX "reports_queue_idx" ON "reports" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "reports_target_idx" ON "reports" USING btree ("target_kind","target_id");--> statement-breakpoint
CREATE INDEX "security_events_user_created_idx" ON "security_events" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "security_events_created_idx" ON "security_events" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "session_revocations_expires_idx" ON "session_revocations" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "ai_calls_user_created_idx" ON "ai_calls" USING btree ("user_id","created_at");--> statement-breakpoint
-- By hand: Row Level Security on the new tables as everywhere (docs/rls.md). The tables that only
-- service code touches (reset tokens, revocations, the dev outbox) get no companion_app policy, so a
-- request in a user scope sees none of their rows and cannot write one.
ALTER TABLE blocks ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE blocks FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON blocks TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
ALTER TABLE mutes ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE mutes FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON mutes TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
ALTER TABLE data_exports ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE data_exports FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON data_exports TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON mail_outbox TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
ALTER TABLE password_reset_tokens ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE password_reset_tokens FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON password_reset_tokens TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
ALTER TABLE reports ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE reports FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON reports TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
ALTER TABLE security_events ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE security_events FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON security_events TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
ALTER TABLE session_revocations ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE session_revocations FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON session_revocations TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
ALTER TABLE user_quotas ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE user_quotas FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON user_quotas TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
-- My blocks, mutes and export requests are mine to read and write.
CREATE POLICY app_owner ON blocks FOR ALL TO companion_app
  USING (blocker_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (blocker_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON mutes FOR ALL TO companion_app
  USING (muter_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (muter_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON data_exports FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- Reports: I file them and read my own; their resolution is the operators' (service code).
CREATE POLICY app_read ON reports FOR SELECT TO companion_app
  USING (reporter_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_insert ON reports FOR INSERT TO companion_app
  WITH CHECK (reporter_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- Security events and quota overrides: mine to read; written by service code only.
CREATE POLICY app_read ON security_events FOR SELECT TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_read ON user_quotas FOR SELECT TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- Reset tokens, revocations and the dev outbox are service code's alone: a companion_app policy that admits nothing says so.
CREATE POLICY app_none ON password_reset_tokens FOR ALL TO companion_app USING (false) WITH CHECK (false);--> statement-breakpoint
CREATE POLICY app_none ON session_revocations FOR ALL TO companion_app USING (false) WITH CHECK (false);--> statement-breakpoint
CREATE POLICY app_none ON mail_outbox FOR ALL TO companion_app USING (false) WITH CHECK (false);
