DROP INDEX "stories_deleted_idx";--> statement-breakpoint
ALTER TABLE "story_views" ADD COLUMN "story_created_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "stories_purge_idx" ON "stories" USING btree ("deleted_at") WHERE "stories"."deleted_at" is not null and ("stories"."author_user_id" is null or "stories"."deleted_at" < "stories"."expires_at");--> statement-breakpoint
CREATE INDEX "stories_retained_idx" ON "stories" USING btree ("created_at") WHERE "stories"."deleted_at" is not null and "stories"."author_user_id" is not null and "stories"."deleted_at" >= "stories"."expires_at";--> statement-breakpoint
CREATE INDEX "story_views_story_viewed_idx" ON "story_views" USING btree ("story_id","viewed_at","viewer_id");--> statement-breakpoint
CREATE INDEX "story_views_viewer_story_created_idx" ON "story_views" USING btree ("viewer_id","story_created_at","story_id");--> statement-breakpoint
-- Social visibility (issue 5, docs/social.md): user stories are readable by whoever may see
-- them, the follow graph by every signed-in user, public profiles through a function, and
-- story_views carries its story's created_at for the feed's seen run.
--
-- Why functions, and why SECURITY DEFINER (as in 0003_events_notify.sql): request code runs
-- as companion_app, whose policies on `users` admit only the user's own row and whose
-- policies on `story_audience` read `stories`. The `stories` policy cannot read
-- `story_audience` itself (the cycle fails with "infinite recursion detected in policy"), and
-- a story's author name must be readable without exposing email or password hash. These
-- functions run as their owner, which the `service_access` policies admit.

-- The public profile of one user: id, display name, avatar. Never email, role or hash.
-- STRICT: a null id (a companion's story) returns no row without running the query.
CREATE OR REPLACE FUNCTION user_public_profile(p_user_id uuid)
RETURNS TABLE (id uuid, display_name text, avatar_url text)
LANGUAGE sql
STABLE STRICT SECURITY DEFINER
ROWS 1
SET search_path = pg_catalog, public
AS $$
  SELECT u.id, u.display_name, u.avatar_url FROM public.users u WHERE u.id = p_user_id
$$;
--> statement-breakpoint
-- The signed-in user's friends: people they follow who follow them back. And the private
-- stories whose audience includes the signed-in user. Both answer only for "me"
-- (app.current_user_id, never a parameter). The `stories` policy uses them as uncorrelated
-- `IN (SELECT ...)`, which Postgres evaluates once per statement and probes as a hash per
-- row: a per-row function call would cost tens of microseconds for every user story a scan
-- passes, and inlined subqueries on follows/story_audience (with their own policies) would
-- repeat in every statement that reads `stories`, directly or through another table's
-- policy, making plans of hundreds of nodes (docs/query-plans.md). Their cost is bounded by
-- whom I follow and the audiences I am in, not by my followers.
CREATE OR REPLACE FUNCTION my_friend_ids()
RETURNS SETOF uuid
LANGUAGE sql
STABLE SECURITY DEFINER
ROWS 100
SET search_path = pg_catalog, public
AS $$
  SELECT f.followee_id FROM public.follows f
  WHERE f.follower_id = nullif(current_setting('app.current_user_id', true), '')::uuid
    AND EXISTS (SELECT 1 FROM public.follows b WHERE b.follower_id = f.followee_id AND b.followee_id = f.follower_id)
$$;
--> statement-breakpoint
-- Reads story_audience by (user_id = me): even for an owner role that the story_audience
-- policies apply to, every row it meets passes their `user_id = me` arm, so the arm that
-- reads `stories` back is never needed.
CREATE OR REPLACE FUNCTION my_audience_story_ids()
RETURNS SETOF uuid
LANGUAGE sql
STABLE SECURITY DEFINER
ROWS 100
SET search_path = pg_catalog, public
AS $$
  SELECT a.story_id FROM public.story_audience a
  WHERE a.user_id = nullif(current_setting('app.current_user_id', true), '')::uuid
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION user_public_profile(uuid) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION my_friend_ids() FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION my_audience_story_ids() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION user_public_profile(uuid) TO companion_app;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION my_friend_ids() TO companion_app;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION my_audience_story_ids() TO companion_app;--> statement-breakpoint

-- story_views.story_created_at follows its story's created_at: filled on insert by whoever
-- inserts (request code, seed, jobs), and kept in step should a story's time ever change.
-- SECURITY DEFINER so that the copy never depends on what the inserting role may read.
CREATE OR REPLACE FUNCTION story_views_copy_story_created_at()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
  SELECT s.created_at INTO NEW.story_created_at FROM public.stories s WHERE s.id = NEW.story_id;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER story_views_story_created_at BEFORE INSERT OR UPDATE OF story_id ON story_views
  FOR EACH ROW EXECUTE FUNCTION story_views_copy_story_created_at();--> statement-breakpoint
CREATE OR REPLACE FUNCTION stories_sync_view_created_at()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
  UPDATE public.story_views SET story_created_at = NEW.created_at WHERE story_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER stories_created_at_to_views AFTER UPDATE OF created_at ON stories
  FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION stories_sync_view_created_at();--> statement-breakpoint
UPDATE story_views v SET story_created_at = s.created_at FROM stories s WHERE s.id = v.story_id AND v.story_created_at IS NULL;--> statement-breakpoint

-- Stories: companion stories as before (the queries narrow them to connected companions);
-- a user's story to its author, to everyone when public, to mutual followers when friends,
-- to its audience when private. Expiry and soft deletion stay the queries' job, as before.
DROP POLICY app_read ON stories;--> statement-breakpoint
CREATE POLICY app_read ON stories FOR SELECT TO companion_app
  USING (
    (select nullif(current_setting('app.current_user_id', true), '')::uuid) IS NOT NULL
    AND (
      author_companion_id IS NOT NULL
      OR author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
      OR visibility = 'public'
      OR (visibility = 'friends' AND author_user_id IN (SELECT my_friend_ids()))
      OR (visibility = 'private' AND id IN (SELECT my_audience_story_ids()))
    )
  );--> statement-breakpoint

-- Follows: the graph is public to signed-in users (social.followers/following of anyone);
-- writes stay the follower's own (app_write).
DROP POLICY app_read ON follows;--> statement-breakpoint
CREATE POLICY app_read ON follows FOR SELECT TO companion_app
  USING ((select nullif(current_setting('app.current_user_id', true), '')::uuid) IS NOT NULL);
