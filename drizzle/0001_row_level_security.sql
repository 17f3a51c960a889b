-- Row Level Security, as defense in depth (docs/rls.md describes the model).
--
-- Request code runs inside `withUser`, which sets, for its transaction only,
--   app.current_user_id = <the signed-in user>   and   role = companion_app.
-- companion_app is a NOLOGIN role without BYPASSRLS. Its policies compare owner columns
-- with the setting, so with no user id set it sees and changes nothing: the policies fail
-- closed.
--
-- FORCE makes the table owner obey RLS too. Work that is not a user request (login by
-- email, refresh-token rotation, admin CLI, background jobs, seeding, migrations) runs as
-- the connection's own role, so every table also gets `service_access`: a permissive
-- policy for every role except companion_app. The trade-off: RLS only protects what runs
-- under companion_app. A request that forgets `withUser` runs with full access; that is
-- caught by review and the procedure types, not by the database. Superusers bypass RLS
-- entirely, FORCE or not.
--
-- Every policy reads the user id through `(select ...)`, which Postgres evaluates once per
-- query (an InitPlan) instead of once per row.

-- Roles are cluster-wide: many databases in one cluster (tests, staging) share it, and
-- two migrations may race to create it. Either loser error means "it exists now".
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'companion_app') THEN
    BEGIN
      CREATE ROLE companion_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  -- A pre-existing role with these attributes would silently switch RLS off.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'companion_app' AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'role companion_app must not be SUPERUSER or BYPASSRLS';
  END IF;
END
$$;
--> statement-breakpoint
-- `SET ROLE companion_app` needs membership (PG 16+: with the SET option). Superusers are
-- members of every role already. A non-superuser owner that cannot grant it to itself
-- needs a superuser to run the GRANT once; say so instead of failing obscurely later.
DO $$
DECLARE
  mode text := CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END;
BEGIN
  IF NOT pg_has_role(current_user, 'companion_app', mode) THEN
    GRANT companion_app TO CURRENT_USER;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN
    NULL;
  WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'cannot grant role companion_app to %', current_user
      USING HINT = format('As a superuser, run: GRANT companion_app TO %I;', current_user);
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO companion_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO companion_app;--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO companion_app;--> statement-breakpoint
-- Future tables get the grants too, but NOT RLS: a new user-owned table needs its own
-- ENABLE/FORCE and policies (rls.test.ts fails for a table without them).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO companion_app;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO companion_app;--> statement-breakpoint
-- Private prompts: the prompt builder reads them inside a request; only service code writes.
REVOKE INSERT, UPDATE, DELETE ON companion_personas FROM companion_app;--> statement-breakpoint

-- Enable and force on every table. ------------------------------------------------------
ALTER TABLE users ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE companions ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE companions FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE companion_personas ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE companion_personas FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE relationship_states ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE relationship_states FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE mood_history ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE mood_history FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE messages FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE memories ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE memories FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE stories ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE stories FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_media ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_media FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_reactions ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_reactions FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_views ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_views FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_audience ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE story_audience FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE follows ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE follows FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE events ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE events FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE media_uploads ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE media_uploads FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE ai_calls ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE ai_calls FORCE ROW LEVEL SECURITY;--> statement-breakpoint

-- Service access: everyone but the app role (see the header). ------------------------
CREATE POLICY service_access ON users TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON refresh_tokens TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON companions TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON companion_personas TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON relationship_states TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON mood_history TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON messages TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON memories TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON stories TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON story_media TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON story_reactions TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON story_views TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON story_audience TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON follows TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON notifications TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON events TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON media_uploads TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint
CREATE POLICY service_access ON ai_calls TO public USING ((select current_user <> 'companion_app')) WITH CHECK ((select current_user <> 'companion_app'));--> statement-breakpoint

-- Rows owned by one user: all operations, own rows only. -----------------------------
CREATE POLICY app_owner ON users FOR ALL TO companion_app
  USING (id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON refresh_tokens FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON relationship_states FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON mood_history FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON notifications FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON events FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON media_uploads FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON ai_calls FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY app_owner ON messages FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- A memory may only link a message the user can see: the foreign key alone (checked
-- without RLS) would accept another user's message id. (messages.reply_to_id gets no such
-- check: a policy that reads its own table fails with "infinite recursion detected".)
CREATE POLICY app_owner ON memories FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (
    user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    AND (message_id IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.id = memories.message_id))
  );--> statement-breakpoint

-- Companions: public profiles readable by every signed-in user, a private one by its
-- owner; writable only by the owner, so system companions (owner null) never. ----------
CREATE POLICY app_read ON companions FOR SELECT TO companion_app
  USING (
    (select nullif(current_setting('app.current_user_id', true), '')::uuid) IS NOT NULL
    AND (is_public OR owner_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  );--> statement-breakpoint
CREATE POLICY app_write ON companions FOR ALL TO companion_app
  USING (owner_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (owner_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- Personas follow their companion's visibility (the subquery applies companions' RLS).
-- No write policy, and the write grants are revoked above.
CREATE POLICY app_read ON companion_personas FOR SELECT TO companion_app
  USING (EXISTS (SELECT 1 FROM companions c WHERE c.id = companion_personas.companion_id));--> statement-breakpoint

-- Stories: companion stories readable by every signed-in user (narrowing to connected
-- companions is the queries' job), a user's story by its author only. Writes: the author.
-- Keep these policies free of story_audience: its policies read stories, and a cycle
-- makes Postgres fail with "infinite recursion detected in policy".
CREATE POLICY app_read ON stories FOR SELECT TO companion_app
  USING (
    (select nullif(current_setting('app.current_user_id', true), '')::uuid) IS NOT NULL
    AND (author_companion_id IS NOT NULL OR author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  );--> statement-breakpoint
CREATE POLICY app_write ON stories FOR ALL TO companion_app
  USING (author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));--> statement-breakpoint
-- Media: readable when its story is (subquery under stories' RLS); writable by its author.
CREATE POLICY app_read ON story_media FOR SELECT TO companion_app
  USING (EXISTS (SELECT 1 FROM stories s WHERE s.id = story_media.story_id));--> statement-breakpoint
CREATE POLICY app_write ON story_media FOR ALL TO companion_app
  USING (EXISTS (SELECT 1 FROM stories s WHERE s.id = story_media.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)))
  WITH CHECK (EXISTS (SELECT 1 FROM stories s WHERE s.id = story_media.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)));--> statement-breakpoint
-- Reactions and views: the reacting/viewing user's own rows, plus read access for the
-- author of a user story. A new row must point at media/a story the user can see, so
-- nobody reacts to or marks viewed what RLS hides from them.
CREATE POLICY app_read ON story_reactions FOR SELECT TO companion_app
  USING (
    user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    OR EXISTS (SELECT 1 FROM stories s WHERE s.id = story_reactions.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  );--> statement-breakpoint
CREATE POLICY app_write ON story_reactions FOR ALL TO companion_app
  USING (user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (
    user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    AND EXISTS (SELECT 1 FROM story_media m WHERE m.id = story_reactions.media_id AND m.story_id = story_reactions.story_id)
  );--> statement-breakpoint
CREATE POLICY app_read ON story_views FOR SELECT TO companion_app
  USING (
    viewer_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    OR EXISTS (SELECT 1 FROM stories s WHERE s.id = story_views.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  );--> statement-breakpoint
CREATE POLICY app_write ON story_views FOR ALL TO companion_app
  USING (viewer_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (
    viewer_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    AND EXISTS (SELECT 1 FROM stories s WHERE s.id = story_views.story_id)
  );--> statement-breakpoint
-- Audience of a private story: visible to the member and to the story's author; only the
-- author adds or removes members.
CREATE POLICY app_read ON story_audience FOR SELECT TO companion_app
  USING (
    user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    OR EXISTS (SELECT 1 FROM stories s WHERE s.id = story_audience.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  );--> statement-breakpoint
CREATE POLICY app_write ON story_audience FOR ALL TO companion_app
  USING (EXISTS (SELECT 1 FROM stories s WHERE s.id = story_audience.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)))
  WITH CHECK (EXISTS (SELECT 1 FROM stories s WHERE s.id = story_audience.story_id AND s.author_user_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)));--> statement-breakpoint

-- Follows: visible to both ends, written by the follower.
CREATE POLICY app_read ON follows FOR SELECT TO companion_app
  USING (
    follower_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
    OR followee_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid)
  );--> statement-breakpoint
CREATE POLICY app_write ON follows FOR ALL TO companion_app
  USING (follower_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid))
  WITH CHECK (follower_id = (select nullif(current_setting('app.current_user_id', true), '')::uuid));
