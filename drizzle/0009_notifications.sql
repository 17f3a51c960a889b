CREATE TABLE "notification_actors" (
	"notification_id" uuid NOT NULL,
	"actor_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_actors_notification_id_actor_id_pk" PRIMARY KEY("notification_id","actor_id")
);
--> statement-breakpoint
CREATE TABLE "notification_mutes" (
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_mutes_user_id_kind_pk" PRIMARY KEY("user_id","kind")
);
--> statement-breakpoint
CREATE TABLE "push_devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"platform" text NOT NULL,
	"endpoint" text NOT NULL,
	"keys" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "notification_actors" ADD CONSTRAINT "notification_actors_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_actors" ADD CONSTRAINT "notification_actors_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_mutes" ADD CONSTRAINT "notification_mutes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "push_devices" ADD CONSTRAINT "push_devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "push_devices_user_endpoint_key" ON "push_devices" USING btree ("user_id","endpoint");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_user_dedupe_key" ON "notifications" USING btree ("user_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "notifications_user_unread_idx" ON "notifications" USING btree ("user_id") WHERE "notifications"."read_at" is null;--> statement-breakpoint
-- Row Level Security, as for every table (0001_row_level_security.sql). Mutes and devices are
-- the user's own rows. Actors are written by the jobs only (service code) and readable by the
-- owner of their notification (the subquery applies notifications' RLS).
ALTER TABLE notification_actors ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE notification_actors FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE notification_mutes ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE notification_mutes FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE push_devices ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE push_devices FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON notification_actors TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON notification_mutes TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON push_devices TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY app_read ON notification_actors FOR SELECT TO companion_app
  USING (EXISTS (SELECT 1 FROM notifications n WHERE n.id = notification_actors.notification_id));--> statement-breakpoint
REVOKE INSERT, UPDATE, DELETE ON notification_actors FROM companion_app;--> statement-breakpoint
CREATE POLICY app_owner ON notification_mutes FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON push_devices FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- create_notification gains a dedupe key (a job run twice writes one row), skips a kind the
-- recipient muted (neither stored nor delivered), and tells the event the recipient's unread
-- count. No row comes back when nothing was written. Same SECURITY DEFINER reasoning as 0003.
DROP FUNCTION create_notification(uuid, text, jsonb);--> statement-breakpoint
CREATE FUNCTION create_notification(p_user_id uuid, p_kind text, p_payload jsonb, p_dedupe_key text DEFAULT NULL)
RETURNS TABLE (notification_id uuid, created_at timestamptz, event_id bigint, unread_count int)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM public.notification_mutes m WHERE m.user_id = p_user_id AND m.kind = p_kind) THEN
    RETURN;
  END IF;
  INSERT INTO public.notifications AS n (user_id, kind, payload, dedupe_key)
  VALUES (p_user_id, p_kind, coalesce(p_payload, '{}'::jsonb), p_dedupe_key)
  ON CONFLICT (user_id, dedupe_key) DO NOTHING
  RETURNING n.id, n.created_at INTO notification_id, created_at;
  IF notification_id IS NULL THEN
    RETURN;
  END IF;
  SELECT count(*)::int INTO unread_count FROM public.notifications u WHERE u.user_id = p_user_id AND u.read_at IS NULL;
  SELECT em.event_id INTO event_id
  FROM public.emit_events(jsonb_build_array(jsonb_build_object(
    'user_id', p_user_id,
    'type', 'notification.created',
    'payload', jsonb_build_object('notificationId', notification_id, 'kind', p_kind, 'data', coalesce(p_payload, '{}'::jsonb), 'unreadCount', unread_count)
  ))) AS em;
  RETURN NEXT;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION create_notification(uuid, text, jsonb, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION create_notification(uuid, text, jsonb, text) TO companion_app;
