-- social.profile (docs/social.md#profiles): one person's profile card, for request code, which the
-- `users` policy shows only its own row. Like user_public_profile (0004_social_visibility.sql) it
-- returns id, display name and avatar only (never email, role or hash), plus the uploaded avatar's
-- media key (the API signs it, as auth.me does for my own). Unlike it, it answers nothing for a
-- disabled account, nor for someone who blocked the caller (app.current_user_id): being blocked is
-- not announced, so the person simply does not exist for them (docs/social.md#blocks). My own
-- block of them does not hide them: I still see the profile I may unblock from.
-- STRICT: a null id returns no row.
CREATE OR REPLACE FUNCTION user_profile_card(p_user_id uuid)
RETURNS TABLE (id uuid, display_name text, avatar_url text, avatar_key text)
LANGUAGE sql
STABLE STRICT SECURITY DEFINER
ROWS 1
SET search_path = pg_catalog, public
AS $$
  SELECT u.id, u.display_name, u.avatar_url, u.avatar_key FROM public.users u
  WHERE u.id = p_user_id
    AND u.disabled_at IS NULL
    AND NOT EXISTS (
      SELECT 1 FROM public.blocks b
      WHERE b.blocker_id = u.id
        AND b.blocked_id = nullif(current_setting('app.current_user_id', true), '')::uuid
    )
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION user_profile_card(uuid) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION user_profile_card(uuid) TO companion_app;
