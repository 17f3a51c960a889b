import { sql, type SQL } from "drizzle-orm";
import { companions, follows, relationshipStates, stories } from "../../schema/index.ts";
import { companionVisibleTo } from "../companions/visibility.ts";

/**
 * Who may see a story (docs/social.md). These predicates are self-contained SQL on the
 * `stories` row of the outer query (no join required of the caller), so every read and
 * write on stories uses the same definition and a story the user may not see is NOT_FOUND
 * everywhere alike. The RLS policy on `stories` (drizzle/0004_social_visibility.sql)
 * enforces the same "who" a second time; liveness (expiry, soft delete) is only checked here.
 */

/** Not soft-deleted and not past expiry, whether or not the cleanup job has run yet. */
const live = sql`${stories.deletedAt} is null and ${stories.expiresAt} > now()`;

/**
 * Authored by a companion the user is connected with and may still see (public or theirs).
 * An uncorrelated IN: Postgres hashes the viewer's few connections once per query instead of
 * probing per story (`companions` inside shadows any `companions` of the outer query).
 */
const connectedCompanion = (userId: string) =>
  sql`${stories.authorCompanionId} in (
    select ${relationshipStates.companionId} from ${relationshipStates} join ${companions} on ${companions.id} = ${relationshipStates.companionId}
    where ${relationshipStates.userId} = ${userId} and ${companionVisibleTo(userId)})`;

/**
 * A user's story by its visibility, for someone other than its author: `public` to anyone,
 * `friends` to people who follow the author and are followed back (mutual), `private` to the
 * members of its explicit audience. The two sets come from the SECURITY DEFINER functions
 * the RLS policy uses too (drizzle/0004_social_visibility.sql): each is evaluated once per
 * statement and probed as a hash, where subqueries on follows/story_audience would drag
 * their own RLS policies (and those of `stories` again) into every statement, doubling its
 * plan (docs/query-plans.md). They answer for `app.current_user_id`, which `withUser` sets
 * to the same user as `userId`; outside a user scope they are empty, so friends and private
 * stories stay hidden (fail closed).
 */
const audienceAdmits = sql`(${stories.visibility} = 'public'
    or (${stories.visibility} = 'friends' and ${stories.authorUserId} in (select my_friend_ids()))
    or (${stories.visibility} = 'private' and ${stories.id} in (select my_audience_story_ids())))`;

/**
 * A story the user may open (byId, react, unreact, markViewed): live, and either a connected
 * companion's, or the user's own, or a user story whose visibility admits them. A public
 * story is visible to anyone by id, follower or not.
 */
export function storyVisibleTo(userId: string): SQL {
  return sql`(${live} and (
    ${connectedCompanion(userId)}
    or ${stories.authorUserId} = ${userId}
    or (${stories.authorUserId} is not null and ${audienceAdmits})))`;
}

/**
 * A story for the user's feed: visible as above, but a user story only from someone the user
 * follows (or the user's own). A stranger's public story opens by id, it does not show up in
 * the feed. The followees are an uncorrelated IN, hashed once per query like the companions.
 */
export function storyInFeedOf(userId: string): SQL {
  return sql`(${live} and (
    ${connectedCompanion(userId)}
    or ${stories.authorUserId} = ${userId}
    or (${stories.authorUserId} in (select ${follows.followeeId} from ${follows} where ${follows.followerId} = ${userId})
        and ${audienceAdmits})))`;
}

/**
 * The author's own story while its row is kept for them (viewers, stats): not deleted by
 * them. A story that expired on its own keeps counting until the cleanup job purges it,
 * 7 days after posting; the job marks such stories with `deleted_at >= expires_at`, an author
 * deletes only live stories (`deleted_at < expires_at`).
 */
export function ownStoryRetained(userId: string): SQL {
  return sql`(${stories.authorUserId} = ${userId} and (${stories.deletedAt} is null or ${stories.deletedAt} >= ${stories.expiresAt}))`;
}
