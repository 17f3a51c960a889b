/**
 * Seed and helpers for the Row Level Security tests (rls*.test.ts). Rows are written as
 * the connection's own role, outside `withUser`, the way service code writes them.
 */
import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import {
  aiCalls,
  companionPersonas,
  companions,
  conversationSummaries,
  digests,
  events,
  follows,
  mediaUploads,
  memories,
  messages,
  moodHistory,
  notificationActors,
  notificationMutes,
  notifications,
  pushDevices,
  refreshTokens,
  relationshipStates,
  stories,
  storyAudience,
  storyDrafts,
  storyMedia,
  storyReactions,
  storyViews,
  users,
} from "../schema/index.ts";
import type { Database } from "../types.ts";

export interface RlsWorld {
  a: string;
  b: string;
  c: string;
  /** Public system companion, with a persona and two live stories of two slides each. */
  sys: string;
  sys2: string;
  /** A's private companion, with a persona. */
  aPrivate: string;
  /** A's public companion. */
  aPublic: string;
  companionStory: string;
  companionStory2: string;
  companionSlides: [string, string];
  /** A's own story, one slide, audience: C. */
  aStory: string;
  aSlide: string;
  aMessage: string;
  /** A's notification; B is its actor (B reacted), which must not let B read it. */
  aNotification: string;
}

const hour = 3_600_000;

export async function seedRlsWorld(db: Database): Promise<RlsWorld> {
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  await db.insert(users).values(
    [a, b, c].map((id, i) => ({ id, email: `rls-${i}-${id}@example.com`, passwordHash: "x", displayName: `U${i}` })),
  );
  const [sys, sys2, aPrivate, aPublic] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  await db.insert(companions).values([
    { id: sys, slug: `sys-${sys}`, name: "Sys" },
    { id: sys2, slug: `sys2-${sys2}`, name: "Sys2" },
    { id: aPrivate, ownerUserId: a, slug: `ap-${aPrivate}`, name: "A private", visibility: "private" },
    { id: aPublic, ownerUserId: a, slug: `apub-${aPublic}`, name: "A public" },
  ]);
  await db.insert(companionPersonas).values([
    { companionId: sys, systemPrompt: "sys prompt" },
    { companionId: aPrivate, systemPrompt: "A's secret prompt" },
  ]);

  const expiresAt = new Date(Date.now() + 24 * hour);
  const [companionStory, companionStory2, aStory] = [randomUUID(), randomUUID(), randomUUID()];
  await db.insert(stories).values([
    { id: companionStory, authorCompanionId: sys, expiresAt },
    { id: companionStory2, authorCompanionId: sys, expiresAt },
    { id: aStory, authorUserId: a, visibility: "private", expiresAt },
  ]);
  const companionSlides: [string, string] = [randomUUID(), randomUUID()];
  const aSlide = randomUUID();
  await db.insert(storyMedia).values([
    { id: companionSlides[0], storyId: companionStory, sortOrder: 0, kind: "image", mediaKey: "k0" },
    { id: companionSlides[1], storyId: companionStory, sortOrder: 1, kind: "image", mediaKey: "k1" },
    { id: aSlide, storyId: aStory, sortOrder: 0, kind: "image", mediaKey: "ka" },
  ]);

  // Every user-owned table gets rows for A (the victim) and for B (the actor), so that
  // "B sees only B's rows" is not vacuously true.
  const aMessage = randomUUID();
  await db.insert(messages).values([
    { id: aMessage, userId: a, companionId: sys, role: "user", content: "A's secret" },
    { userId: b, companionId: sys, role: "user", content: "B's message" },
  ]);
  const aNotification = randomUUID();
  for (const user of [a, b]) {
    await db.insert(relationshipStates).values({ userId: user, companionId: sys });
    await db.insert(moodHistory).values({ userId: user, companionId: sys, recordedOn: "2030-01-01", mood: "happy", affection: 50, trust: 50, energy: 50 });
    await db.insert(memories).values({ userId: user, companionId: sys, content: "remember", ...(user === a ? { messageId: aMessage } : {}) });
    await db.insert(refreshTokens).values({ userId: user, familyId: randomUUID(), tokenHash: randomUUID(), expiresAt });
    const notificationId = user === a ? aNotification : randomUUID();
    await db.insert(notifications).values({ id: notificationId, userId: user, kind: "test" });
    // The actor is the other user: naming B on A's notification must not let B read it.
    await db.insert(notificationActors).values({ notificationId, actorId: user === a ? b : a });
    await db.insert(notificationMutes).values({ userId: user, kind: "muted-test" });
    await db.insert(pushDevices).values({ userId: user, platform: "web", endpoint: `https://push.example/${randomUUID()}` });
    await db.insert(events).values({ userId: user, type: "test" });
    await db.insert(mediaUploads).values({ key: `upload-${randomUUID()}`, userId: user, contentType: "image/png", byteSize: 1 });
    await db.insert(aiCalls).values({ userId: user, provider: "p", model: "m", purpose: "chat", outcome: "ok", latencyMs: 1 });
    await db.insert(storyReactions).values({ userId: user, mediaId: companionSlides[0], storyId: companionStory, emoji: "❤️" });
    await db.insert(storyViews).values({ viewerId: user, storyId: companionStory });
    await db.insert(conversationSummaries).values({ userId: user, companionId: sys, version: 1, content: "summary", coversUntil: new Date(), coversUntilMessageId: randomUUID(), messageCount: 2, method: "extractive" });
    await db.insert(digests).values({ userId: user, companionId: sys, week: "2030-W01", weekStart: "2029-12-31", stats: {}, letter: "letter", method: "template" });
    await db.insert(storyDrafts).values({ ownerUserId: user, companionId: user === a ? aPublic : sys, caption: "draft", slides: [] });
  }
  // Only where the vector extension made them (drizzle/0011_search.sql).
  const [embeddings] = await queryRows<{ exists: boolean }>(db, sql`select to_regclass('message_embeddings') is not null as exists`);
  if (embeddings?.exists) {
    await db.execute(sql`insert into memory_embeddings (memory_id, user_id, model, embedding) select id, user_id, 'test', '[1,0]' from memories where user_id in (${a}, ${b})`);
    await db.execute(sql`insert into message_embeddings (message_id, user_id, model, embedding) select id, user_id, 'test', '[0,1]' from messages where user_id in (${a}, ${b})`);
  }
  await db.insert(follows).values([
    { followerId: a, followeeId: c },
    { followerId: b, followeeId: c },
  ]);
  await db.insert(storyAudience).values({ storyId: aStory, userId: c });

  return { a, b, c, sys, sys2, aPrivate, aPublic, companionStory, companionStory2, companionSlides, aStory, aSlide, aMessage, aNotification };
}

/** Rows of `db.execute` from either driver (postgres.js: an array; PGlite: `{ rows }`). */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

export async function countRows(db: Database, table: string, where = "true"): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(db, sql.raw(`select count(*)::int as n from ${table} where ${where}`));
  return Number(row?.n ?? -1);
}

/** Postgres SQLSTATE of a driver error, looked up through Drizzle's wrapping `cause`. */
export function sqlState(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** 42501 is what Postgres raises for both "new row violates row-level security policy" and "permission denied". */
export const INSUFFICIENT_PRIVILEGE = "42501";

/** Thrown to roll a transaction back after a control write has proven it was allowed. */
export class Rollback extends Error {}
