/**
 * Companions a person defines for themselves (docs/companions.md): created, edited, listed and
 * deleted by their owner only. Every function filters by `userId` and runs in the owner's
 * `withUser` scope, where RLS says the same (companions and companion_personas `app_write`).
 */
import { randomBytes } from "node:crypto";
import { and, count, desc, eq, gte, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { DomainError, notFound } from "../../errors.ts";
import { decodeCursor, encodeCursor, toPage, type Page } from "../../pagination.ts";
import { companionCreations, companionPersonas, companions, mediaUploads, type CharacterBook, type CompanionVisibility } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { companionVisibleTo } from "./visibility.ts";

/**
 * Companions a person may create per UTC day (the server's COMPANION_DAILY_QUOTA overrides it).
 * It counts today's creations, deleted companions included (companion_creations): docs/companions.md#quota.
 */
export const COMPANION_DAILY_QUOTA = 10;

/**
 * What a person defines (the shape of `companionDefinition` in @companion/validators, which this
 * package does not depend on), plus what only a character card carries: its lorebook and extensions.
 */
export interface CompanionDefinitionInput {
  name: string;
  tagline: string;
  bio: string;
  traits: string[];
  /** A key from media.createUpload: an image the owner uploaded. Null: no avatar. */
  avatarKey: string | null;
  visibility: CompanionVisibility;
  greeting: string;
  alternateGreetings: string[];
  systemPrompt: string;
  speakingStyle: string;
  backstory: string;
  personality: string;
  scenario: string;
  exampleDialogues: string;
  postHistoryInstructions: string;
  catchphrases: string[];
  neverSay: string[];
  characterBook?: CharacterBook | null | undefined;
  extensions?: Record<string, unknown> | undefined;
}

type CompanionDefinitionPatchInput = Partial<CompanionDefinitionInput>;

/** A companion as its owner sees it: the public profile, the greetings and every private field. */
export interface OwnCompanion extends Omit<CompanionDefinitionInput, "characterBook" | "extensions"> {
  id: string;
  slug: string;
  ownerUserId: string;
  /** A URL set by an import (system companions); `avatarKey` wins when both are set. */
  avatarUrl: string | null;
  characterBook: CharacterBook | null;
  extensions: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

const ownColumns = {
  id: companions.id,
  slug: companions.slug,
  ownerUserId: companions.ownerUserId,
  name: companions.name,
  tagline: companions.tagline,
  bio: companions.bio,
  traits: companions.traits,
  avatarKey: companions.avatarKey,
  avatarUrl: companions.avatarUrl,
  visibility: companions.visibility,
  greeting: companions.greeting,
  alternateGreetings: companions.alternateGreetings,
  systemPrompt: companionPersonas.systemPrompt,
  speakingStyle: companionPersonas.speakingStyle,
  backstory: companionPersonas.backstory,
  personality: companionPersonas.personality,
  scenario: companionPersonas.scenario,
  exampleDialogues: companionPersonas.exampleDialogues,
  postHistoryInstructions: companionPersonas.postHistoryInstructions,
  catchphrases: companionPersonas.catchphrases,
  neverSay: companionPersonas.neverSay,
  characterBook: companionPersonas.characterBook,
  extensions: companionPersonas.extensions,
  createdAt: companions.createdAt,
  updatedAt: companions.updatedAt,
};

const PROFILE_FIELDS = ["name", "tagline", "bio", "traits", "avatarKey", "visibility", "greeting", "alternateGreetings"] as const;
const PERSONA_FIELDS = [
  "systemPrompt",
  "speakingStyle",
  "backstory",
  "personality",
  "scenario",
  "exampleDialogues",
  "postHistoryInstructions",
  "catchphrases",
  "neverSay",
  "characterBook",
  "extensions",
] as const;

function pick<K extends string>(from: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

const DAY_MS = 86_400_000;
const utcDayStart = (now: Date) => new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);

// Any constant; the second key is the person, whose creations are counted under it.
const CREATE_QUOTA_LOCK = 727_274_015;

/** "Luna the Owl!" → "luna-the-owl"; letters outside ascii go, an empty result becomes "companion". */
function slugBase(name: string): string {
  const ascii = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return ascii || "companion";
}

const slugSuffix = () => randomBytes(4).readUInt32BE(0).toString(36).padStart(7, "0").slice(-6);

/**
 * The avatar must be an image I uploaded and finished uploading; anything else is BAD_REQUEST
 * naming `avatarKey`. The row is locked FOR SHARE so the media purge cannot remove it meanwhile.
 */
export async function assertAvatarUpload(tx: Database, userId: string, key: string): Promise<void> {
  const [row] = await tx
    .select({ contentType: mediaUploads.contentType, uploadedAt: mediaUploads.uploadedAt })
    .from(mediaUploads)
    .where(and(eq(mediaUploads.key, key), eq(mediaUploads.userId, userId)))
    .for("share");
  if (!row || row.uploadedAt === null || !row.contentType.startsWith("image/")) {
    throw new DomainError("BAD_REQUEST", "avatarKey: must be an image you uploaded with media.createUpload, finished uploading", {
      field: "avatarKey",
    });
  }
}

/**
 * Creates my companion and its persona in one transaction, under a fresh slug (the name's plus
 * a random suffix). QUOTA_EXCEEDED (429) past `dailyQuota` creations today (UTC); creations of
 * one person are serialized by a transaction-scoped advisory lock, so concurrent ones cannot
 * exceed it. A bad `avatarKey` is BAD_REQUEST.
 */
export async function createCompanion(
  db: Database,
  params: { userId: string; definition: CompanionDefinitionInput; now?: Date; dailyQuota?: number },
): Promise<OwnCompanion> {
  const { userId, definition: d } = params;
  const now = params.now ?? new Date();
  const quota = params.dailyQuota ?? COMPANION_DAILY_QUOTA;
  return inTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CREATE_QUOTA_LOCK}, hashtext(${userId}))`);
    const [used] = await tx
      .select({ n: count() })
      .from(companionCreations)
      .where(and(eq(companionCreations.userId, userId), gte(companionCreations.createdAt, utcDayStart(now))));
    if ((used?.n ?? 0) >= quota) {
      throw new DomainError("QUOTA_EXCEEDED", `At most ${quota} new companions a day; try again tomorrow (UTC)`, {
        retryAfterMs: utcDayStart(now).getTime() + DAY_MS - now.getTime(),
        quota,
      });
    }
    if (d.avatarKey) await assertAvatarUpload(tx, userId, d.avatarKey);
    const base = slugBase(d.name);
    let id: string | undefined;
    // A taken slug (a 1 in 2 billion collision of the suffix) is skipped without aborting the transaction.
    for (let attempt = 0; !id && attempt < 5; attempt++) {
      const [row] = await tx
        .insert(companions)
        .values({
          ownerUserId: userId,
          slug: `${base}-${slugSuffix()}`,
          name: d.name,
          tagline: d.tagline,
          bio: d.bio,
          traits: d.traits,
          avatarKey: d.avatarKey,
          visibility: d.visibility,
          greeting: d.greeting,
          alternateGreetings: d.alternateGreetings,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing({ target: companions.slug })
        .returning({ id: companions.id });
      id = row?.id;
    }
    if (!id) throw new Error("no free slug for a new companion after 5 attempts");
    // Outlives the companion: deleting it does not give the slot back.
    await tx.insert(companionCreations).values({ userId, createdAt: now });
    await tx.insert(companionPersonas).values({
      companionId: id,
      systemPrompt: d.systemPrompt,
      speakingStyle: d.speakingStyle,
      backstory: d.backstory,
      personality: d.personality,
      scenario: d.scenario,
      exampleDialogues: d.exampleDialogues,
      postHistoryInstructions: d.postHistoryInstructions,
      catchphrases: d.catchphrases,
      neverSay: d.neverSay,
      characterBook: d.characterBook ?? null,
      extensions: d.extensions ?? {},
      updatedAt: now,
    });
    return getOwnCompanion(tx, { userId, companionId: id });
  });
}

/** My companion with every field, private ones included. NOT_FOUND unless I own it. */
export async function getOwnCompanion(db: Database, params: { userId: string; companionId: string }): Promise<OwnCompanion> {
  const [row] = await db
    .select(ownColumns)
    .from(companions)
    .innerJoin(companionPersonas, eq(companionPersonas.companionId, companions.id))
    .where(and(eq(companions.id, params.companionId), eq(companions.ownerUserId, params.userId), isNull(companions.hiddenAt)));
  if (!row) throw notFound("Companion");
  return { ...row, ownerUserId: params.userId };
}

/**
 * Changes the fields named in `patch` of my companion (profile and persona in one transaction).
 * Anyone else's companion, a system one included, is NOT_FOUND; a bad `avatarKey` BAD_REQUEST.
 */
export async function updateCompanion(
  db: Database,
  params: { userId: string; companionId: string; patch: CompanionDefinitionPatchInput },
): Promise<OwnCompanion> {
  const { userId, companionId, patch } = params;
  return inTransaction(db, async (tx) => {
    const profile = pick(patch, PROFILE_FIELDS);
    const persona = pick(patch, PERSONA_FIELDS);
    const now = new Date();
    const [row] = await tx
      .update(companions)
      .set({ ...(profile as Partial<typeof companions.$inferInsert>), updatedAt: now })
      // Hidden by moderation (docs/moderation.md): not editable back into view.
      .where(and(eq(companions.id, companionId), eq(companions.ownerUserId, userId), isNull(companions.hiddenAt)))
      .returning({ id: companions.id });
    if (!row) throw notFound("Companion");
    if (patch.avatarKey) await assertAvatarUpload(tx, userId, patch.avatarKey);
    if (Object.keys(persona).length > 0) {
      await tx
        .update(companionPersonas)
        .set({ ...(persona as Partial<typeof companionPersonas.$inferInsert>), updatedAt: now })
        .where(eq(companionPersonas.companionId, companionId));
    }
    return getOwnCompanion(tx, { userId, companionId });
  });
}

/**
 * Deletes my companion, and with it everything that references it: its persona, its stories,
 * and every person's conversation with it (messages, memories, relationship, mood history).
 * Idempotent: `deleted` is false when there was nothing to delete. A companion I may see but
 * do not own (someone else's public or unlisted one, a system one) is NOT_FOUND.
 */
export async function deleteCompanion(db: Database, params: { userId: string; companionId: string }): Promise<{ deleted: boolean }> {
  const rows = await db
    .delete(companions)
    .where(and(eq(companions.id, params.companionId), eq(companions.ownerUserId, params.userId)))
    .returning({ id: companions.id });
  if (rows.length > 0) return { deleted: true };
  const [visible] = await db
    .select({ id: companions.id })
    .from(companions)
    .where(and(eq(companions.id, params.companionId), companionVisibleTo(params.userId)));
  if (visible) throw notFound("Companion");
  return { deleted: false };
}

/** My companions, newest first, keyset (created_at, id) on companions_owner_idx. */
export async function listOwnCompanions(
  db: Database,
  params: { userId: string; cursor?: string | undefined; limit: number },
): Promise<Page<OwnCompanion>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const where: (SQL | undefined)[] = [eq(companions.ownerUserId, params.userId), isNull(companions.hiddenAt)];
  if (after) where.push(or(lt(companions.createdAt, after.createdAt), and(eq(companions.createdAt, after.createdAt), lt(companions.id, after.id))));
  const rows = await db
    .select(ownColumns)
    .from(companions)
    .innerJoin(companionPersonas, eq(companionPersonas.companionId, companions.id))
    .where(and(...where))
    .orderBy(desc(companions.createdAt), desc(companions.id))
    .limit(params.limit + 1);
  const page = toPage(rows, params.limit, (last) => encodeCursor({ createdAt: last.createdAt, id: last.id }));
  return { items: page.items.map((r) => ({ ...r, ownerUserId: params.userId })), nextCursor: page.nextCursor };
}
