CREATE TABLE "used_stream_tickets" (
	"jti" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "process_leases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "owner_process" uuid;--> statement-breakpoint
ALTER TABLE "used_stream_tickets" ADD CONSTRAINT "used_stream_tickets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "used_stream_tickets_expires_idx" ON "used_stream_tickets" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "used_stream_tickets_user_idx" ON "used_stream_tickets" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "process_leases_expires_idx" ON "process_leases" USING btree ("expires_at");--> statement-breakpoint
-- Row Level Security, as for every table (0001_row_level_security.sql). Both tables are
-- written by service code outside a user scope; inside one, a user sees their own redeemed
-- tickets, and every process lease (ids and expiry times only), which the chat takeover
-- check reads while it updates the user's message.
ALTER TABLE used_stream_tickets ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE used_stream_tickets FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE process_leases ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE process_leases FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON used_stream_tickets TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON process_leases TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY app_owner ON used_stream_tickets FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_read ON process_leases FOR SELECT TO companion_app USING (true);
