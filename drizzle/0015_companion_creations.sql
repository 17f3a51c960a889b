CREATE TABLE "companion_creations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "companion_creations" ADD CONSTRAINT "companion_creations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "companion_creations_user_created_idx" ON "companion_creations" USING btree ("user_id","created_at");--> statement-breakpoint
-- By hand: a person's own rows only (RLS as everywhere, docs/rls.md).
ALTER TABLE companion_creations ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE companion_creations FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON companion_creations TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY app_owner ON companion_creations FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- Companions created before this table count too.
INSERT INTO companion_creations (user_id, created_at) SELECT owner_user_id, created_at FROM companions WHERE owner_user_id IS NOT NULL;
