/**
 * Data exports (auth.exportData, docs/account.md#export): the `data_exports` rows and the archive's
 * contents. The archive is built by a job (service code), one query per section, each with its
 * explicit columns, as JSON text so that both drivers hand back the same thing.
 */
import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { rowsOf } from "../../raw-sql.ts";
import { dataExports } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

export interface DataExportRecord {
  id: string;
  userId: string;
  status: "pending" | "ready" | "failed";
  storageKey: string | null;
  bytes: number | null;
  createdAt: Date;
  completedAt: Date | null;
  expiresAt: Date | null;
}

const exportColumns = {
  id: dataExports.id,
  userId: dataExports.userId,
  status: dataExports.status,
  storageKey: dataExports.storageKey,
  bytes: dataExports.bytes,
  createdAt: dataExports.createdAt,
  completedAt: dataExports.completedAt,
  expiresAt: dataExports.expiresAt,
};

/** A pending export of mine; run in my user scope (RLS: my rows only). */
export async function insertDataExport(db: Database, params: { userId: string }): Promise<DataExportRecord> {
  const [row] = await db.insert(dataExports).values({ userId: params.userId }).returning(exportColumns);
  if (!row) throw new Error("insert into data_exports returned no row");
  return row;
}

/** My newest export, or null. */
export async function latestDataExport(db: Database, params: { userId: string }): Promise<DataExportRecord | null> {
  const [row] = await db
    .select(exportColumns)
    .from(dataExports)
    .where(eq(dataExports.userId, params.userId))
    .orderBy(desc(dataExports.createdAt), desc(dataExports.id))
    .limit(1);
  return row ?? null;
}

/** For the job: the export by id, whoever's it is (service code). */
export async function getDataExport(db: Database, params: { exportId: string }): Promise<DataExportRecord | null> {
  const [row] = await db.select(exportColumns).from(dataExports).where(eq(dataExports.id, params.exportId));
  return row ?? null;
}

/** Ready with its archive; only a pending export changes (a job run twice writes once). */
export async function markDataExportReady(
  db: Database,
  params: { exportId: string; storageKey: string; bytes: number; expiresAt: Date },
): Promise<DataExportRecord | null> {
  const [row] = await db
    .update(dataExports)
    .set({ status: "ready", storageKey: params.storageKey, bytes: params.bytes, completedAt: sql`now()`, expiresAt: params.expiresAt })
    .where(and(eq(dataExports.id, params.exportId), eq(dataExports.status, "pending")))
    .returning(exportColumns);
  return row ?? null;
}

/** The expiry job: up to `limit` exports past their expiry, oldest first. */
export async function listExpiredDataExports(db: Database, params: { now: Date; limit: number }): Promise<{ id: string; storageKey: string | null }[]> {
  return db
    .select({ id: dataExports.id, storageKey: dataExports.storageKey })
    .from(dataExports)
    .where(lt(dataExports.expiresAt, params.now))
    .orderBy(asc(dataExports.expiresAt))
    .limit(params.limit);
}

/** The expiry job: the rows go once their archives are deleted. */
export async function deleteDataExports(db: Database, params: { ids: readonly string[] }): Promise<void> {
  if (params.ids.length > 0) await db.delete(dataExports).where(inArray(dataExports.id, [...params.ids]));
}

/**
 * For the media route, before it serves a signed export URL: the export is ready with this key and
 * not expired. Not user-scoped: only its owner was given the signed URL.
 */
export async function isLiveDataExport(db: Database, params: { exportId: string; key: string }): Promise<boolean> {
  const [row] = await db
    .select({ id: dataExports.id })
    .from(dataExports)
    .where(
      and(
        eq(dataExports.id, params.exportId),
        eq(dataExports.storageKey, params.key),
        eq(dataExports.status, "ready"),
        sql`${dataExports.expiresAt} > now()`,
      ),
    );
  return row !== undefined;
}

/** `select` → a JSON array (text) of its rows. */
const jsonRows = (query: ReturnType<typeof sql>) => sql`select coalesce(json_agg(to_json(x)), '[]')::text as json from (${query}) x`;

/**
 * Everything the person owns, section by section (docs/account.md#export). Companions they made
 * come with their persona fields (theirs to take along); conversations with every message.
 */
export async function buildAccountArchive(db: Database, params: { userId: string }): Promise<Record<string, unknown>> {
  const u = params.userId;
  const sections: Record<string, ReturnType<typeof sql>> = {
    profile: sql`select id, email, display_name, avatar_key, language, about_me, time_zone, quiet_start_minute, quiet_end_minute,
      proactive_enabled, created_at, updated_at from users where id = ${u}`,
    companions: sql`select c.id, c.slug, c.name, c.tagline, c.bio, c.avatar_key, c.avatar_url, c.traits, c.visibility, c.greeting,
      c.alternate_greetings, c.time_zone, c.created_at, c.updated_at,
      p.system_prompt, p.speaking_style, p.backstory, p.personality, p.scenario, p.example_dialogues, p.post_history_instructions,
      p.catchphrases, p.never_say, p.character_book, p.extensions, p.fallback_lines
      from companions c left join companion_personas p on p.companion_id = c.id
      where c.owner_user_id = ${u} order by c.created_at, c.id`,
    messages: sql`select id, companion_id, role, content, status, reply_to_id, story_id, proactive, created_at
      from messages where user_id = ${u} order by companion_id, created_at, id`,
    memories: sql`select id, companion_id, title, content, pinned, source, importance, fact_key, created_at
      from memories where user_id = ${u} order by companion_id, created_at, id`,
    conversationSummaries: sql`select companion_id, version, content, covers_until, message_count, created_at
      from conversation_summaries where user_id = ${u} order by companion_id, version`,
    relationships: sql`select companion_id, affection, trust, energy, mood, interaction_count, last_interaction_at, proactive_enabled,
      created_at, updated_at from relationship_states where user_id = ${u} order by companion_id`,
    moodHistory: sql`select companion_id, recorded_on, mood, affection, trust, energy
      from mood_history where user_id = ${u} order by companion_id, recorded_on`,
    stories: sql`select s.id, s.caption, s.visibility, s.created_at, s.expires_at, s.deleted_at,
      (select coalesce(json_agg(json_build_object('mediaKey', sm.media_key, 'kind', sm.kind) order by sm.sort_order), '[]')
        from story_media sm where sm.story_id = s.id) as media
      from stories s where s.author_user_id = ${u} order by s.created_at, s.id`,
    reactions: sql`select story_id, emoji, created_at from story_reactions where user_id = ${u} order by created_at`,
    following: sql`select followee_id as user_id, created_at from follows where follower_id = ${u} order by created_at`,
    followers: sql`select follower_id as user_id, created_at from follows where followee_id = ${u} order by created_at`,
    uploads: sql`select key, content_type, byte_size, created_at, uploaded_at from media_uploads where user_id = ${u} order by created_at`,
    notifications: sql`select kind, payload, created_at, read_at from notifications where user_id = ${u} order by created_at, id`,
    securityEvents: sql`select kind, ip, user_agent, detail, created_at from security_events where user_id = ${u} order by created_at, id`,
  };
  const archive: Record<string, unknown> = { format: "companion-export/1", userId: u, exportedAt: new Date().toISOString() };
  for (const [name, query] of Object.entries(sections)) {
    const [row] = rowsOf(await db.execute(jsonRows(query))) as { json: string }[];
    const rows = JSON.parse(row?.json ?? "[]") as unknown[];
    archive[name] = name === "profile" ? (rows[0] ?? null) : rows;
  }
  return archive;
}
