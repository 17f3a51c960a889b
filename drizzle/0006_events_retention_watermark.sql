CREATE TABLE "event_retention" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"pruned_through_id" bigint NOT NULL,
	CONSTRAINT "event_retention_one_row" CHECK ("event_retention"."id" = 1)
);
--> statement-breakpoint
-- The retention watermark (docs/realtime.md, "Retention"): pruneEvents raises
-- pruned_through_id to the highest event id it deleted, in the statement that deletes, and
-- events.subscribe tells a client resuming from a lower id that its replay may have gaps.
--
-- Events pruned before this migration left no watermark. Start from what the table shows:
-- every id below the oldest event left (or, with none left, every id the sequence gave out)
-- may have been deleted. A fresh database gets no row, which reads as "nothing pruned".
INSERT INTO "event_retention" ("pruned_through_id")
SELECT s.w FROM (
  SELECT coalesce((SELECT min("id") FROM "events") - 1, pg_sequence_last_value(pg_get_serial_sequence('events', 'id')::regclass)) AS w
) AS s
WHERE s.w > 0;--> statement-breakpoint
-- One row for everyone, not user-owned: every signed-in request may read it (the subscribe
-- path runs in withUser as companion_app), only service code writes it. RLS on, as on every
-- table (rls-rules.test.ts), and the app role's write grants, which ALTER DEFAULT
-- PRIVILEGES in 0001 gave it, taken back: a write fails loudly with "permission denied".
ALTER TABLE "event_retention" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "event_retention" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY service_access ON event_retention TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY app_read ON event_retention FOR SELECT TO companion_app
  USING ((select nullif(current_setting('app.current_user_id', true), '')::uuid) IS NOT NULL);--> statement-breakpoint
REVOKE ALL ON event_retention FROM companion_app;--> statement-breakpoint
GRANT SELECT ON event_retention TO companion_app;
