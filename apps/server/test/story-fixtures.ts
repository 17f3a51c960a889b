/**
 * Fixtures for the stories HTTP tests. Companions and their stories are written straight to
 * the database, as the seed and admin jobs do (no procedure posts a companion's story);
 * users sign up and act through packages/client, as an app would.
 */
import { randomBytes } from "node:crypto";
import { companions, relationshipStates, stories, storyMedia, type Database } from "@companion/db";
import { isTRPCClientError, type CompanionClient } from "@companion/client";
import { uniqueEmail, type TestServer } from "./harness.ts";

export interface SignedInUser {
  id: string;
  api: CompanionClient;
}

export async function signUp(t: TestServer, name = "Viewer"): Promise<SignedInUser> {
  const { api } = t.session();
  const session = await api.auth.register.mutate({ email: uniqueEmail(name.toLowerCase()), password: "password-1234", displayName: name });
  return { id: session.user.id, api };
}

export async function createCompanion(db: Database, name: string): Promise<string> {
  const slug = `${name.toLowerCase()}-${randomBytes(4).toString("hex")}`;
  const [row] = await db.insert(companions).values({ slug, name, avatarUrl: `/media/avatars/${slug}.svg` }).returning({ id: companions.id });
  if (!row) throw new Error("insert returned no companion");
  return row.id;
}

/** The user is connected with the companion (what companions.connect creates). */
export async function connect(db: Database, userId: string, companionId: string): Promise<void> {
  await db.insert(relationshipStates).values({ userId, companionId }).onConflictDoNothing();
}

export interface InsertedStory {
  id: string;
  createdAt: Date;
  /** Slide ids in sort order. */
  mediaIds: string[];
}

/**
 * A companion story with `slides` slides, inserted in reverse sort order so that a reader
 * that forgets to order them is caught.
 */
export async function insertStory(
  db: Database,
  companionId: string,
  opts: { createdAt?: Date; expiresAt?: Date; deletedAt?: Date; slides?: number; caption?: string } = {},
): Promise<InsertedStory> {
  const createdAt = opts.createdAt ?? new Date();
  const [story] = await db
    .insert(stories)
    .values({
      authorCompanionId: companionId,
      caption: opts.caption ?? null,
      createdAt,
      expiresAt: opts.expiresAt ?? new Date(createdAt.getTime() + 24 * 3600_000),
      deletedAt: opts.deletedAt ?? null,
    })
    .returning({ id: stories.id });
  if (!story) throw new Error("insert returned no story");
  const orders = Array.from({ length: opts.slides ?? 2 }, (_, i) => i).reverse();
  const media = await db
    .insert(storyMedia)
    .values(orders.map((o) => ({ storyId: story.id, sortOrder: o, kind: "image" as const, mediaKey: `test/${story.id}/${o}.svg`, width: 1080, height: 1920 })))
    .returning({ id: storyMedia.id, sortOrder: storyMedia.sortOrder });
  const mediaIds = media.sort((a, b) => a.sortOrder - b.sortOrder).map((m) => m.id);
  return { id: story.id, createdAt, mediaIds };
}

/** Newest first, ties broken by id descending: the feed's order (uuid order is lowercase-hex order). */
export const feedOrder = (a: InsertedStory, b: InsertedStory) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The tRPC error code of a call that must fail. */
export async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (isTRPCClientError(err)) return err.data?.code;
    throw err;
  }
  throw new Error("expected the call to fail");
}
