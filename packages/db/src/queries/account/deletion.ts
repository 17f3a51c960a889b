/**
 * Account deletion (auth.deleteAccount, docs/account.md#deletion): what the account's stored files
 * are, and the delete itself. Almost everything goes by `on delete cascade` from `users`; the
 * rest is decided here. Service code only (outside any user scope).
 */
import { sql } from "drizzle-orm";
import { rowsOf } from "../../raw-sql.ts";
import type { Database } from "../../types.ts";

/**
 * Every stored object the account owns: its uploads (story media, avatars: `u/<userId>/…`), the
 * image cards of its companions' stories (`c/<companionId>/…`) and its data export archives. Read
 * in the deletion's transaction, before the rows go, so that the purge job gets exactly them.
 */
export async function listAccountFiles(db: Database, params: { userId: string }): Promise<string[]> {
  const result = await db.execute(sql`
    select key from media_uploads where user_id = ${params.userId}
    union
    select sm.media_key from story_media sm
      join stories s on s.id = sm.story_id
      left join companions c on c.id = s.author_companion_id
      where (s.author_user_id = ${params.userId} or c.owner_user_id = ${params.userId}) and (sm.media_key like 'u/%' or sm.media_key like 'c/%')
    union
    select storage_key from data_exports where user_id = ${params.userId} and storage_key is not null`);
  return (rowsOf(result) as { key: string }[]).map((r) => r.key);
}

/**
 * Deletes the account row, and with it (cascade) everything of theirs. Two things about the person
 * live in other people's rows and go too: the notifications that name them as a follower or carry
 * their words (a story reply). Aggregated reaction notifications keep their count and the name they
 * copied (docs/account.md#deletion). Resolves to false when there was no such account.
 */
export async function deleteAccountRows(db: Database, params: { userId: string }): Promise<boolean> {
  await db.execute(sql`
    delete from notifications
    where (kind = 'follow' and payload->>'followerId' = ${params.userId}::text)
       or (kind = 'story_reply' and payload->'replier'->>'id' = ${params.userId}::text)`);
  const deleted = await db.execute(sql`delete from users where id = ${params.userId} returning id`);
  return rowsOf(deleted).length > 0;
}
