import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { decodeCursor, decodeSlugCursor, encodeCursor, encodeSlugCursor, toPage, type Page } from "../../pagination.ts";
import { currentRelationship } from "../../relationship/model.ts";
import { companions, relationshipStates, type CompanionVisibility } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import { relationshipColumns, type RelationshipState } from "./relationships.ts";
import { companionListedFor, companionVisibleTo } from "./visibility.ts";

/** What anyone who may see a companion sees. Persona fields live in another table and are never joined here. */
export interface CompanionProfile {
  id: string;
  slug: string;
  name: string;
  tagline: string;
  bio: string;
  avatarUrl: string | null;
  /** An upload of the owner's; the API signs it into the wire `avatarUrl` (it wins over `avatarUrl`). */
  avatarKey: string | null;
  traits: string[];
  visibility: CompanionVisibility;
  /** Null for a system companion. */
  ownerUserId: string | null;
}

export interface CompanionWithRelationship extends CompanionProfile {
  /** Mine, with decay applied at read time; null when I am not connected. */
  relationship: RelationshipState | null;
}

export const companionProfileColumns = {
  id: companions.id,
  slug: companions.slug,
  name: companions.name,
  tagline: companions.tagline,
  bio: companions.bio,
  avatarUrl: companions.avatarUrl,
  avatarKey: companions.avatarKey,
  traits: companions.traits,
  visibility: companions.visibility,
  ownerUserId: companions.ownerUserId,
};

// Drizzle turns the nested object into null when the left join found no state.
const joinedColumns = { ...companionProfileColumns, rel: relationshipColumns };

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
): Promise<Page<CompanionWithRelationship>> {
  const after = params.cursor ? decodeSlugCursor(params.cursor) : null;
  const rows = await selectCompanions(db, params.userId)
    .where(and(companionListedFor(params.userId), after ? gt(companions.slug, after) : undefined))
    .orderBy(asc(companions.slug))
    .limit(params.limit + 1);
  const now = params.now ?? new Date();
  const page = toPage(rows, params.limit, (last) => encodeSlugCursor(last.slug));
  return { items: page.items.map((r) => toCompanion(r, now)), nextCursor: page.nextCursor };
}

export async function getCompanion(db: Database, params: { userId: string; companionId: string; now?: Date }): Promise<CompanionWithRelationship> {
  const [row] = await selectCompanions(db, params.userId).where(and(eq(companions.id, params.companionId), companionVisibleTo(params.userId)));
  if (!row) throw notFound("Companion");
  return toCompanion(row, params.now ?? new Date());
}

/**
 * The companions I am connected with (my relationships), newest connection first, keyset-paged on
 * (connected at, companion id) through relationship_states_connected_idx: driven by my states, not
 * by every companion, so it costs what my page costs. A companion that turned private (not mine)
 * or was hidden since I connected is left out, as `readConnection` leaves it out.
 */
export async function listConnectedCompanions(
  db: Database,
  params: { userId: string; cursor?: string | undefined; limit: number; now?: Date },
): Promise<Page<CompanionWithRelationship & { relationship: RelationshipState }>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const rows = await db
    .select({ ...companionProfileColumns, rel: relationshipColumns })
    .from(relationshipStates)
    .innerJoin(companions, eq(companions.id, relationshipStates.companionId))
    .where(
      and(
        eq(relationshipStates.userId, params.userId),
        companionVisibleTo(params.userId),
        after
          ? sql`(${relationshipStates.createdAt}, ${relationshipStates.companionId}) < (${sql.param(after.createdAt, relationshipStates.createdAt)}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(relationshipStates.createdAt), desc(relationshipStates.companionId))
    .limit(params.limit + 1);
  const now = params.now ?? new Date();
  const page = toPage(rows, params.limit, (last) => encodeCursor({ createdAt: last.rel.createdAt, id: last.id }));
  return {
    items: page.items.map(({ rel, ...profile }) => ({ ...profile, relationship: currentRelationship(rel, now) })),
    nextCursor: page.nextCursor,
  };
}
