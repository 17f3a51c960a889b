/**
 * Fixtures for the social and user-story HTTP tests: users upload media and post stories
 * through packages/client and the signed upload URL, as an app does. Only time is faked:
 * `ageStory` moves a story's clock back in the database, since nobody waits 24 hours.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RouterInputs, RouterOutputs } from "@companion/client";
import { stories } from "@companion/db";
import { createTestDatabase } from "@companion/db/testing";
import type { Logger } from "drizzle-orm/logger";
import { eq, sql } from "drizzle-orm";
import { startTestServer, type TestServer } from "./harness.ts";
import type { SignedInUser } from "./story-fixtures.ts";

export type CreateStoryInput = RouterInputs["stories"]["create"];
export type Story = RouterOutputs["stories"]["byId"];

const HOUR = 3_600_000;

/** A server with its own media directory (removed on stop) and generous limits unless overridden. */
export async function startSocialServer(env: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<TestServer> {
  const mediaDir = await mkdtemp(join(tmpdir(), "companion-social-"));
  const database = options.logger ? await createTestDatabase({ logger: options.logger }) : undefined;
  const t = await startTestServer(
    { MEDIA_DIR: mediaDir, RATE_UPLOAD_PER_MIN: "1000", RATE_STORY_CREATE_PER_MIN: "1000", RATE_REACTION_PER_MIN: "1000", ...env },
    database ? { database } : {},
  );
  return {
    ...t,
    async stop() {
      await t.stop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

/** Uploads a few random bytes as `contentType` the way an app does; returns the media key. */
export async function upload(t: TestServer, user: SignedInUser, contentType: "image/png" | "image/jpeg" | "video/mp4" = "image/png"): Promise<string> {
  const bytes = randomBytes(32);
  const up = await user.api.media.createUpload.mutate({ contentType, byteSize: bytes.length });
  const res = await fetch(new URL(up.uploadUrl, t.url), { method: up.method, headers: up.headers, body: bytes });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return up.mediaKey;
}

/** Posts a story with `slides` freshly uploaded images (unless mediaKeys are given). */
export async function postStory(
  t: TestServer,
  user: SignedInUser,
  input: Partial<CreateStoryInput> & { visibility: CreateStoryInput["visibility"] },
  slides = 1,
): Promise<Story> {
  const mediaKeys = input.mediaKeys ?? (await Promise.all(Array.from({ length: slides }, () => upload(t, user))));
  return user.api.stories.create.mutate({ ...input, mediaKeys });
}

export async function follow(from: SignedInUser, to: SignedInUser): Promise<void> {
  await from.api.social.follow.mutate({ userId: to.id });
}

/** Moves a story `hours` into the past (created_at and expires_at alike), as if posted that long ago. */
export async function ageStory(t: TestServer, storyId: string, hours: number): Promise<void> {
  const shift = sql.raw(`interval '${hours * HOUR} milliseconds'`);
  await t.database.db
    .update(stories)
    .set({ createdAt: sql`${stories.createdAt} - ${shift}`, expiresAt: sql`${stories.expiresAt} - ${shift}` })
    .where(eq(stories.id, storyId));
}
