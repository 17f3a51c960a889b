import { DomainError } from "../errors.ts";
import { isCursorTime } from "./cursor.ts";

/**
 * Opaque cursors for keysets other than the plain (created_at, id) of cursor.ts. Each
 * format is shaped so that another list's cursor fails to decode (BAD_REQUEST) rather
 * than silently starting somewhere odd.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SLUG_PREFIX = "slug:";
const SLUG_MAX = 200;

const invalid = () => new DomainError("INVALID_CURSOR", "Invalid cursor", { field: "cursor" });
const fromBase64 = (cursor: string) => Buffer.from(cursor, "base64url").toString("utf8");

/** Companion list keyset: the unique slug of the last row. */
export function encodeSlugCursor(slug: string): string {
  return Buffer.from(SLUG_PREFIX + slug).toString("base64url");
}

export function decodeSlugCursor(cursor: string): string {
  const decoded = fromBase64(cursor);
  const slug = decoded.slice(SLUG_PREFIX.length);
  // A NUL never is in a slug, and Postgres refuses it in any text parameter.
  if (!decoded.startsWith(SLUG_PREFIX) || slug.length === 0 || slug.length > SLUG_MAX || slug.includes("\u0000")) throw invalid();
  return slug;
}

/** Memory timeline keyset: (pinned, created_at, id), "<0|1>:<epoch ms>:<uuid>". */
export interface PinnedKeysetPosition {
  pinned: boolean;
  createdAt: Date;
  id: string;
}

export function encodePinnedCursor(pos: PinnedKeysetPosition): string {
  return Buffer.from(`${pos.pinned ? 1 : 0}:${pos.createdAt.getTime()}:${pos.id}`).toString("base64url");
}

export function decodePinnedCursor(cursor: string): PinnedKeysetPosition {
  const parts = fromBase64(cursor).split(":");
  const [pinned, ms, id] = parts;
  const time = Number(ms);
  if (parts.length !== 3 || (pinned !== "0" && pinned !== "1") || !ms || !/^\d+$/.test(ms) || !isCursorTime(time) || !id || !UUID.test(id)) {
    throw invalid();
  }
  return { pinned: pinned === "1", createdAt: new Date(time), id };
}

/**
 * Story feed keyset: (seen, created_at, id), "feed:<u|s>:<epoch ms>:<uuid>". The feed lists
 * unseen stories first, so where a page ends includes which of the two runs it is in.
 */
export interface FeedKeysetPosition {
  seen: boolean;
  createdAt: Date;
  id: string;
}

const FEED_PREFIX = "feed";

export function encodeFeedCursor(pos: FeedKeysetPosition): string {
  return Buffer.from(`${FEED_PREFIX}:${pos.seen ? "s" : "u"}:${pos.createdAt.getTime()}:${pos.id}`).toString("base64url");
}

export function decodeFeedCursor(cursor: string): FeedKeysetPosition {
  const parts = fromBase64(cursor).split(":");
  const [prefix, seen, ms, id] = parts;
  const time = Number(ms);
  if (parts.length !== 4 || prefix !== FEED_PREFIX || (seen !== "u" && seen !== "s") || !ms || !/^\d+$/.test(ms) || !isCursorTime(time) || !id || !UUID.test(id)) {
    throw invalid();
  }
  return { seen: seen === "s", createdAt: new Date(time), id };
}
