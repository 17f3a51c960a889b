CREATE INDEX "messages_user_created_idx" ON "messages" USING btree ("user_id","created_at","id");--> statement-breakpoint
-- By hand: my messages matching a tsquery, through the GIN index on (user_id, search). Under
-- companion_app's RLS policy the `@@` operator (not leakproof) may not be an index condition,
-- so Postgres reads every message of mine and tests each; this function runs as its owner
-- (admitted by service_access) and answers only for "me" (app.current_user_id, never a
-- parameter), as my_friend_ids does (0004_social_visibility.sql). docs/search.md, "Candidates".
CREATE OR REPLACE FUNCTION my_message_matches(p_query tsquery)
RETURNS SETOF uuid
LANGUAGE sql
STABLE STRICT SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT m.id FROM public.messages m
  WHERE m.user_id = nullif(current_setting('app.current_user_id', true), '')::uuid AND m.search @@ p_query
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION my_message_matches(tsquery) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION my_message_matches(tsquery) TO companion_app;
