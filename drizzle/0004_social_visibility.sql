DROP INDEX "stories_deleted_idx";--> statement-breakpoint
CREATE INDEX "stories_purge_idx" ON "stories" USING btree ("deleted_at") WHERE "stories"."deleted_at" is not null and ("stories"."author_user_id" is null or "stories"."deleted_at" < "stories"."expires_at");--> statement-breakpoint
CREATE INDEX "stories_retained_idx" ON "stories" USING btree ("created_at") WHERE "stories"."deleted_at" is not null and "stories"."author_user_id" is not null and "stories"."deleted_at" >= "stories"."expires_at";--> statement-breakpoint
CREATE INDEX "story_views_story_viewed_idx" ON "story_views" USING btree ("story_id","viewed_at","viewer_id");--> statement-breakpoint
-- Social visibility (issue 5, docs/social.md): user stories are readable by whoever may see
-- them, the follow graph by every signed-in user, and public profiles through a function.
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
-- Whether the signed-in user (app.current_user_id, not a parameter: nobody can probe other
-- users' memberships) is in the audience of a private story. The lookup is by the primary
-- key (story_id, user_id = me), so even an owner role that the story_audience policies apply
-- to only meets rows whose `user_id = me` arm is true and never evaluates the arm that reads
-- `stories` back.
CREATE OR REPLACE FUNCTION in_story_audience(p_story_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE STRICT SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.story_audience a
    WHERE a.story_id = p_story_id AND a.user_id = nullif(current_setting('app.current_user_id', true), '')::uuid
  )
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION user_public_profile(uuid) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION in_story_audience(uuid) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION user_public_profile(uuid) TO companion_app;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION in_story_audience(uuid) TO companion_app;--> statement-breakpoint

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
      OR (
        visibility = 'friends'
        AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid) AND f.followee_id = stories.author_user_id)
        AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = stories.author_user_id AND f.followee_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
      )
      OR (visibility = 'private' AND in_story_audience(id))
    )
  );--> statement-breakpoint

-- Follows: the graph is public to signed-in users (social.followers/following of anyone);
-- writes stay the follower's own (app_write).
DROP POLICY app_read ON follows;--> statement-breakpoint
CREATE POLICY app_read ON follows FOR SELECT TO companion_app
  USING ((select nullif(current_setting('app.current_user_id', true), '')::uuid) IS NOT NULL);
