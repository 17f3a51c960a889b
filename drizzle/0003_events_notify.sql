-- Realtime events (docs/realtime.md): the only ways events and notifications are written.
--
-- Why functions, and why SECURITY DEFINER: an event is usually for ANOTHER user than the
-- one whose request writes it (a viewer's `markViewed` tells the story's author). Request
-- code runs as companion_app, whose RLS policy on `events` and `notifications` only admits
-- the signed-in user's rows. These functions run as their owner (the migration role, which
-- the `service_access` policies admit), so the event is written in the SAME transaction as
-- the write that caused it: it commits with it or not at all.
--
-- Why the advisory locks: subscribers read "my events with id > last id seen". A bigserial
-- id is taken at insert, not at commit, so two concurrent transactions could commit ids
-- 11 then 10, and a reader that already moved past 11 would never see 10. Taking a lock per
-- recipient bucket before the insert, held to commit, makes ids commit in order for each
-- recipient. 64 buckets bound the locks a large fan-out takes (one per bucket, not per
-- user); they are taken in ascending order so two emitters cannot deadlock each other.
--
-- NOTIFY is transactional: 'companion_events' gets '<user_id>:<event_id>' only on commit.
-- The payload is a wake-up call, not the event: listeners read the row from the table.
CREATE OR REPLACE FUNCTION emit_events(p_events jsonb)
RETURNS TABLE (event_id bigint, recipient_id uuid)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_bucket int;
  r record;
BEGIN
  IF jsonb_typeof(p_events) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'emit_events expects a jsonb array of {user_id, type, payload}' USING ERRCODE = '22023';
  END IF;
  FOR v_bucket IN
    SELECT DISTINCT hashtext(e ->> 'user_id') & 63 FROM jsonb_array_elements(p_events) AS e ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(1163284052, v_bucket); -- 1163284052 = 'EVNT'
  END LOOP;
  FOR r IN
    INSERT INTO public.events AS ev (user_id, type, payload)
    SELECT (t.e ->> 'user_id')::uuid, t.e ->> 'type', coalesce(t.e -> 'payload', '{}'::jsonb)
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord)
    ORDER BY t.ord
    RETURNING ev.id, ev.user_id
  LOOP
    PERFORM pg_notify('companion_events', r.user_id::text || ':' || r.id::text);
    event_id := r.id;
    recipient_id := r.user_id;
    RETURN NEXT;
  END LOOP;
END
$$;
--> statement-breakpoint
-- A notification and its `notification.created` event, in the caller's transaction.
CREATE OR REPLACE FUNCTION create_notification(p_user_id uuid, p_kind text, p_payload jsonb)
RETURNS TABLE (notification_id uuid, created_at timestamptz, event_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
  INSERT INTO public.notifications AS n (user_id, kind, payload)
  VALUES (p_user_id, p_kind, coalesce(p_payload, '{}'::jsonb))
  RETURNING n.id, n.created_at INTO notification_id, created_at;
  SELECT em.event_id INTO event_id
  FROM public.emit_events(jsonb_build_array(jsonb_build_object(
    'user_id', p_user_id,
    'type', 'notification.created',
    'payload', jsonb_build_object('notificationId', notification_id, 'kind', p_kind, 'data', coalesce(p_payload, '{}'::jsonb))
  ))) AS em;
  RETURN NEXT;
END
$$;
--> statement-breakpoint
-- Only the app role (and the owner) may call them; nobody else may forge events.
REVOKE ALL ON FUNCTION emit_events(jsonb) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION create_notification(uuid, text, jsonb) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION emit_events(jsonb) TO companion_app;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION create_notification(uuid, text, jsonb) TO companion_app;
