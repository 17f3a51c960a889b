import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { decodePinnedCursor, encodePinnedCursor, toPage, type Page } from "../../pagination.ts";
import { isoText, rowsOf } from "../../raw-sql.ts";
import { companions, memories, type memorySources } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { recordInteraction } from "../companions/relationships.ts";
import { assertCompanionVisible, companionVisibleTo } from "../companions/visibility.ts";

export interface Memory {
  id: string;
  companionId: string;
  /** The message it was saved from, if any (null again if that message is deleted). */
  messageId: string | null;
  title: string;
  content: string;
  pinned: boolean;
  /** `manual`: saved by the person; `auto`: extracted by the memory job (docs/memory.md). */
  source: MemorySource;
  /** 1–10, weighs in the prompt's retrieval score. */
  importance: number;
  /** When a prompt last used it; null until then. */
  lastUsedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type MemorySource = (typeof memorySources)[number];

/** Longest content copied from a message, the same cap as typed content. */
const MEMORY_CONTENT_MAX = 4000;

const memoryColumns = {
  id: memories.id,
  companionId: memories.companionId,
  messageId: memories.messageId,
  title: memories.title,
  content: memories.content,
  pinned: memories.pinned,
  source: memories.source,
  importance: memories.importance,
  lastUsedAt: memories.lastUsedAt,
  createdAt: memories.createdAt,
  updatedAt: memories.updatedAt,
};

// Raw column list for the INSERT ... SELECT statements below, which Drizzle's builder cannot express.
const returningSql = sql`returning id, companion_id as "companionId", message_id as "messageId", title, content, pinned,
  source, importance, ${isoText("last_used_at")} as "lastUsedAt",
  ${isoText("created_at")} as "createdAt", ${isoText("updated_at")} as "updatedAt"`;

interface RawMemory extends Omit<Memory, "createdAt" | "updatedAt" | "lastUsedAt"> {
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  [column: string]: unknown;
}

const fromRaw = (r: RawMemory): Memory => ({
  ...r,
  // postgres.js hands smallint back as a number, PGlite too; Number() guards a driver that does not.
  importance: Number(r.importance),
  lastUsedAt: r.lastUsedAt === null ? null : new Date(r.lastUsedAt),
  createdAt: new Date(r.createdAt),
  updatedAt: new Date(r.updatedAt),
});

async function executeReturning(db: Database, query: SQL): Promise<Memory | undefined> {
  const [row] = rowsOf(await db.execute(query));
  // The shape is fixed by `returningSql` above.
  return row ? fromRaw(row as RawMemory) : undefined;
}

/**
 * My memories, pinned first, then newest, keyset-paged on (pinned, created_at, id); the
 * index memories(user_id, companion_id, pinned, created_at, id) serves it per companion.
 * Only memories with companions I can still see. A companionId I cannot see is NOT_FOUND.
 */
export async function listMemories(
  db: Database,
  params: { userId: string; companionId?: string | undefined; source?: MemorySource | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<Memory>> {
  const after = params.cursor ? decodePinnedCursor(params.cursor) : null;
  const rows = await db
    .select(memoryColumns)
    .from(memories)
    .innerJoin(companions, and(eq(companions.id, memories.companionId), companionVisibleTo(params.userId)))
    .where(
      and(
        eq(memories.userId, params.userId),
        params.companionId ? eq(memories.companionId, params.companionId) : undefined,
        params.source ? eq(memories.source, params.source) : undefined,
        // One row-value comparison, in the same (all descending) direction as the ORDER BY.
        after ? sql`(${memories.pinned}, ${memories.createdAt}, ${memories.id}) < (${after.pinned}, ${sql.param(after.createdAt, memories.createdAt)}, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(memories.pinned), desc(memories.createdAt), desc(memories.id))
    .limit(params.limit + 1);
  // Only an empty page pays for telling "no memories" from "no such companion".
  if (rows.length === 0 && params.companionId) await assertCompanionVisible(db, params.userId, params.companionId);
  return toPage(rows, params.limit, encodePinnedCursor);
}

export type CreateMemoryParams =
  | { userId: string; companionId: string; title?: string | undefined; content: string; at?: Date }
  | { userId: string; messageId: string; title?: string | undefined; at?: Date };

/**
 * Saves a memory (free text, or copied from one of my messages) and records a "memory" interaction,
 * in one transaction. A message saved again, even in a race, returns its memory and records nothing.
 */
export async function createMemory(db: Database, params: CreateMemoryParams): Promise<Memory> {
  const title = params.title ?? "";
  return inTransaction(db, async (tx) => {
    const created = "messageId" in params ? await insertFromMessage(tx, params.userId, params.messageId, title) : await insertFreeText(tx, params, title);
    if (created.isNew) await recordInteraction(tx, { userId: params.userId, companionId: created.memory.companionId, kind: "memory", at: params.at });
    return created.memory;
  });
}

// Connected and visible: the relationship row and the visibility filter sit in the same statement as the insert.
async function insertFreeText(db: Database, params: { userId: string; companionId: string; content: string }, title: string) {
  const memory = await executeReturning(
    db,
    sql`insert into memories (user_id, companion_id, title, content)
      select rs.user_id, rs.companion_id, ${title}, ${params.content}
      from relationship_states rs join ${companions} on ${companions.id} = rs.companion_id
      where rs.user_id = ${params.userId} and rs.companion_id = ${params.companionId} and ${companionVisibleTo(params.userId)}
      ${returningSql}`,
  );
  if (!memory) throw notFound("Companion");
  return { memory, isNew: true };
}

async function insertFromMessage(db: Database, userId: string, messageId: string, title: string) {
  // The unique index memories_message_user_key keeps one memory per message. A concurrent
  // save of the same message waits on it until the first one commits, then does nothing
  // here and reads that memory below (a new statement: READ COMMITTED sees the commit).
  const memory = await executeReturning(
    db,
    sql`insert into memories (user_id, companion_id, message_id, title, content)
      select m.user_id, m.companion_id, m.id, ${title}, left(m.content, ${MEMORY_CONTENT_MAX})
      from messages m
      join relationship_states rs on rs.user_id = m.user_id and rs.companion_id = m.companion_id
      join ${companions} on ${companions.id} = m.companion_id
      where m.id = ${messageId} and m.user_id = ${userId} and ${companionVisibleTo(userId)}
      on conflict (message_id, user_id) where message_id is not null do nothing
      ${returningSql}`,
  );
  if (memory) return { memory, isNew: true };
  // Nothing inserted and no memory links the message: it is not mine, or I am not connected
  // to (or cannot see) its companion.
  const [existing] = await db
    .select(memoryColumns)
    .from(memories)
    .where(and(eq(memories.userId, userId), eq(memories.messageId, messageId)));
  if (!existing) throw notFound("Message");
  return { memory: existing, isNew: false };
}

export async function updateMemory(
  db: Database,
  params: {
    userId: string;
    memoryId: string;
    title?: string | undefined;
    content?: string | undefined;
    pinned?: boolean | undefined;
    importance?: number | undefined;
  },
): Promise<Memory> {
  const [row] = await db
    .update(memories)
    .set({
      ...(params.title !== undefined ? { title: params.title } : {}),
      ...(params.content !== undefined ? { content: params.content } : {}),
      ...(params.pinned !== undefined ? { pinned: params.pinned } : {}),
      ...(params.importance !== undefined ? { importance: params.importance } : {}),
      updatedAt: sql`now()`,
    })
    .where(and(eq(memories.id, params.memoryId), eq(memories.userId, params.userId)))
    .returning(memoryColumns);
  if (!row) throw notFound("Memory");
  return row;
}

export async function deleteMemory(db: Database, params: { userId: string; memoryId: string }): Promise<void> {
  const deleted = await db
    .delete(memories)
    .where(and(eq(memories.id, params.memoryId), eq(memories.userId, params.userId)))
    .returning({ id: memories.id });
  if (deleted.length === 0) throw notFound("Memory");
}
