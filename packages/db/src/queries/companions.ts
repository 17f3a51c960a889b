import { and, asc, eq, gt, sql } from "drizzle-orm";
import { notFound } from "../errors.ts";
import { currentRelationship } from "../relationship/model.ts";
import { companions, relationshipStates } from "../schema/index.ts";
import type { Database } from "../types.ts";
import { decodeSlugCursor, encodeSlugCursor } from "./keyset.ts";
import { relationshipColumns, type RelationshipState } from "./relationships.ts";
import { companionVisibleTo } from "./visibility.ts";

/** What anyone who may see a companion sees. Persona fields live in another table and are never joined here. */
export interface CompanionProfile {
  id: string;
  slug: string;
  name: string;
  tagline: string;
  bio: string;
  avatarUrl: string | null;
  traits: string[];
}

export interface CompanionWithRelationship extends CompanionProfile {
  /** Mine, with decay applied at read time; null when I am not connected. */
  relationship: RelationshipState | null;
}

const profileColumns = {
  id: companions.id,
  slug: companions.slug,
  name: companions.name,
  tagline: companions.tagline,
  bio: companions.bio,
  avatarUrl: companions.avatarUrl,
  traits: companions.traits,
};

// Drizzle turns the nested object into null when the left join found no state.
const joinedColumns = { ...profileColumns, rel: relationshipColumns };

function toCompanion(row: CompanionProfile & { rel: RelationshipState | null }, now: Date): CompanionWithRelationship {
  const { rel, ...profile } = row;
  return { ...profile, relationship: rel ? currentRelationship(rel, now) : null };
}

function selectCompanions(db: Database, userId: string) {
  return db
    .select(joinedColumns)
    .from(companions)
    .leftJoin(relationshipStates, and(eq(relationshipStates.companionId, companions.id), eq(relationshipStates.userId, userId)));
}

/**
 * Companions I may see, alphabetically by slug, keyset-paged on the unique slug (its
 * index serves the order). Each carries my relationship when I am connected.
 */
export async function listCompanions(
  db: Database,
  params: { userId: string; cursor?: string | undefined; limit: number; now?: Date },
): Promise<{ items: CompanionWithRelationship[]; nextCursor: string | null }> {
  const after = params.cursor ? decodeSlugCursor(params.cursor) : null;
  const rows = await selectCompanions(db, params.userId)
    .where(and(companionVisibleTo(params.userId), after ? gt(companions.slug, after) : undefined))
    .orderBy(asc(companions.slug))
    .limit(params.limit + 1);
  const now = params.now ?? new Date();
  const items = rows.slice(0, params.limit).map((r) => toCompanion(r, now));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > params.limit && last ? encodeSlugCursor(last.slug) : null };
}

export async function getCompanion(db: Database, params: { userId: string; companionId: string; now?: Date }): Promise<CompanionWithRelationship> {
  const [row] = await selectCompanions(db, params.userId).where(and(eq(companions.id, params.companionId), companionVisibleTo(params.userId)));
  if (!row) throw notFound("Companion");
  return toCompanion(row, params.now ?? new Date());
}

/**
 * Connects me to a visible companion with a fresh state (scores at their defaults).
 * Idempotent: connecting again keeps the existing state. Returns the state either way.
 */
export async function connectCompanion(db: Database, params: { userId: string; companionId: string; now?: Date }): Promise<RelationshipState> {
  // INSERT ... SELECT: the visibility check and the insert are one statement, so there is no
  // window between them. Raw because Drizzle's insert-select wants every column of the table.
  await db.execute(sql`
    insert into ${relationshipStates} (user_id, companion_id)
    select ${params.userId}::uuid, ${companions.id} from ${companions}
    where ${companions.id} = ${params.companionId} and ${companionVisibleTo(params.userId)}
    on conflict (user_id, companion_id) do nothing`);
  const [state] = await db
    .select(relationshipColumns)
    .from(relationshipStates)
    .innerJoin(companions, eq(companions.id, relationshipStates.companionId))
    .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId), companionVisibleTo(params.userId)));
  if (!state) throw notFound("Companion");
  return currentRelationship(state, params.now ?? new Date());
}

/**
 * Deletes my relationship state (mood history, messages and memories stay). Idempotent; a
 * companion I may not see is NOT_FOUND unless I still had a state with it to remove.
 */
export async function disconnectCompanion(db: Database, params: { userId: string; companionId: string }): Promise<{ disconnected: boolean }> {
  const deleted = await db
    .delete(relationshipStates)
    .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId)))
    .returning({ id: relationshipStates.id });
  if (deleted.length > 0) return { disconnected: true };
  const [visible] = await db
    .select({ id: companions.id })
    .from(companions)
    .where(and(eq(companions.id, params.companionId), companionVisibleTo(params.userId)));
  if (!visible) throw notFound("Companion");
  return { disconnected: false };
}
