import { sql, type Placeholder, type SQL } from "drizzle-orm";
import { companions, follows, mutes, relationshipStates, stories } from "../../schema/index.ts";
import { companionVisibleTo } from "../companions/visibility.ts";

/**
 * Who may see a story (docs/social.md): predicates on the outer query's `stories` row, the one
 * definition every read and write uses. RLS checks the same "who" again; liveness only here.
 * `userId` is a value, or a placeholder in a statement built once (prepared.ts).
 */

/**
 * Not soft-deleted, not past expiry (whether or not the cleanup job has run yet), not hidden by
 * moderation (docs/moderation.md), and not by someone I blocked or who blocked me (docs/social.md#blocks).
 * The block peers come from RLS's SECURITY DEFINER `my_block_peer_ids()`, hashed once per statement;
 * like the friends below it answers for `app.current_user_id`, so blocks apply inside `withUser`.
 */
const live = sql`${stories.deletedAt} is null and ${stories.expiresAt} > now() and ${stories.hiddenAt} is null
  and (${stories.authorUserId} is null or ${stories.authorUserId} not in (select my_block_peer_ids()))`;

/**
 * Authored by a companion the user is connected with and may still see (public or theirs).
 * An uncorrelated IN: Postgres hashes the viewer's few connections once per query instead of
 * probing per story (`companions` inside shadows any `companions` of the outer query).
 */
const connectedCompanion = (userId: string | Placeholder) =>
  sql`${stories.authorCompanionId} in (
    select ${relationshipStates.companionId} from ${relationshipStates} join ${companions} on ${companions.id} = ${relationshipStates.companionId}
    where ${relationshipStates.userId} = ${userId} and ${companionVisibleTo(userId)})`;

/**
 * A user's story by its visibility, for anyone but its author. Friends and audience come from the
 * RLS policy's SECURITY DEFINER functions, hashed once per statement (docs/query-plans.md); they
 * answer for `app.current_user_id`, so outside `withUser` such stories stay hidden.
 */
const audienceAdmits = sql`(${stories.visibility} = 'public'
    or (${stories.visibility} = 'friends' and ${stories.authorUserId} in (select my_friend_ids()))
    or (${stories.visibility} = 'private' and ${stories.id} in (select my_audience_story_ids())))`;

/**
 * A story the user may open (byId, react, unreact, markViewed): live, and either a connected
 * companion's, or the user's own, or a user story whose visibility admits them. A public
 * story is visible to anyone by id, follower or not.
 */
export function storyVisibleTo(userId: string | Placeholder): SQL {
  return sql`(${live} and (
    ${connectedCompanion(userId)}
    or ${stories.authorUserId} = ${userId}
    or (${stories.authorUserId} is not null and ${audienceAdmits})))`;
}

/**
 * A story for the user's feed: visible as above, but a user story only from someone the user
 * follows and has not muted (or the user's own). A stranger's public story opens by id, it does not show up in
 * the feed. The followees are an uncorrelated IN, hashed once per query like the companions.
 */
export function storyInFeedOf(userId: string | Placeholder): SQL {
  return sql`(${live} and (
    ${connectedCompanion(userId)}
    or ${stories.authorUserId} = ${userId}
    or (${stories.authorUserId} in (select ${follows.followeeId} from ${follows} where ${follows.followerId} = ${userId})
        and ${stories.authorUserId} not in (select ${mutes.mutedId} from ${mutes} where ${mutes.muterId} = ${userId})
        and ${audienceAdmits})))`;
}

/**
 * The author's own story while it is kept for their viewers and stats: not deleted by them (the
 * expiry job marks a story that expired `deleted_at >= expires_at`; authors delete live ones only),
 * and not hidden by moderation.
 */
export function ownStoryRetained(userId: string): SQL {
  return sql`(${stories.authorUserId} = ${userId} and ${stories.hiddenAt} is null and (${stories.deletedAt} is null or ${stories.deletedAt} >= ${stories.expiresAt}))`;
}
