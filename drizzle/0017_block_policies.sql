-- Blocks in Row Level Security (issue 16, docs/social.md#blocks, docs/rls.md): after a block neither
-- person reads the other's stories (and so their media, and cannot view or react to them: those
-- writes' checks read `stories` under its policy), neither reads the other's views or reactions
-- on their own stories, and neither can follow the other. Hidden stories (moderation, hidden_at)
-- leave every read, the author's included.
--
-- my_block_peer_ids(): the users I blocked and the users who blocked me. SECURITY DEFINER like
-- my_friend_ids() (0004_social_visibility.sql): `blocks` is owner-only under RLS, so request code
-- cannot see who blocked it. Used as an uncorrelated `IN (SELECT ...)`, evaluated once per
-- statement and probed as a hash (docs/query-plans.md). Answers only for app.current_user_id.
CREATE OR REPLACE FUNCTION my_block_peer_ids()
RETURNS SETOF uuid
LANGUAGE sql
STABLE SECURITY DEFINER
ROWS 10
SET search_path = pg_catalog, public
AS $$
  SELECT b.blocked_id FROM public.blocks b
  WHERE b.blocker_id = nullif(current_setting('app.current_user_id', true), '')::uuid
  UNION
  SELECT b.blocker_id FROM public.blocks b
  WHERE b.blocked_id = nullif(current_setting('app.current_user_id', true), '')::uuid
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION my_block_peer_ids() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION my_block_peer_ids() TO companion_app;--> statement-breakpoint

-- Stories: as in 0004, minus hidden stories and the stories of my block peers.
DROP POLICY app_read ON stories;--> statement-breakpoint
CREATE POLICY app_read ON stories FOR SELECT TO companion_app
  USING (
    (select nullif(current_setting('app.current_user_id', true), '')::uuid) IS NOT NULL
    AND hidden_at IS NULL
    AND (author_user_id IS NULL OR author_user_id NOT IN (SELECT my_block_peer_ids()))
    AND (
      author_companion_id IS NOT NULL
      OR author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
      OR visibility = 'public'
      OR (visibility = 'friends' AND author_user_id IN (SELECT my_friend_ids()))
      OR (visibility = 'private' AND id IN (SELECT my_audience_story_ids()))
    )
  );--> statement-breakpoint

-- app_write (FOR ALL) admits its author to SELECT too: a hidden story leaves it as well, so the
-- author neither reads nor edits it; new stories are checked as before.
DROP POLICY app_write ON stories;--> statement-breakpoint
CREATE POLICY app_write ON stories FOR ALL TO companion_app
  USING (author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid) AND hidden_at IS NULL)
  WITH CHECK (author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint

-- Views and reactions: my own rows, and on my story those of anyone but a block peer. New rows
-- (app_write, unchanged) must point at a story/media I can read, which the stories policy above
-- already refuses for a peer's story.
DROP POLICY app_read ON story_views;--> statement-breakpoint
CREATE POLICY app_read ON story_views FOR SELECT TO companion_app
  USING (
    viewer_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    OR (
      EXISTS (SELECT 1 FROM stories s WHERE s.id = story_views.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
      AND viewer_id NOT IN (SELECT my_block_peer_ids())
    )
  );--> statement-breakpoint
DROP POLICY app_read ON story_reactions;--> statement-breakpoint
CREATE POLICY app_read ON story_reactions FOR SELECT TO companion_app
  USING (
    user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    OR (
      EXISTS (SELECT 1 FROM stories s WHERE s.id = story_reactions.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
      AND user_id NOT IN (SELECT my_block_peer_ids())
    )
  );--> statement-breakpoint

-- Follows: written by the follower, never towards a block peer. A block removes the follows in
-- both directions in its transaction: the blocked person's follow of me is mine to delete once
-- the block row exists (app_unfollow_peer).
DROP POLICY app_write ON follows;--> statement-breakpoint
CREATE POLICY app_write ON follows FOR ALL TO companion_app
  USING (follower_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (
    follower_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    AND followee_id NOT IN (SELECT my_block_peer_ids())
  );--> statement-breakpoint
CREATE POLICY app_unfollow_peer ON follows FOR DELETE TO companion_app
  USING (
    followee_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    AND follower_id IN (SELECT my_block_peer_ids())
  );
