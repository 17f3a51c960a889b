import { DomainError } from "./errors.ts";

/**
 * Keyset pagination: one page type, the page-building tail every list shares, and the opaque
 * cursor of each keyset. Each cursor format is shaped so that another list's cursor fails to
 * decode (INVALID_CURSOR, a 400) rather than silently starting somewhere odd.
 */

/** A page of a keyset-paged list; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The tail of every paged query, which fetched `limit + 1` rows: the extra row only says a
 * next page exists, and that page starts after the last item kept (`cursorOf(last)`).
 */
export function toPage<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const invalid = () => new DomainError("INVALID_CURSOR", "Invalid cursor", { field: "cursor" });
const fromBase64 = (cursor: string) => Buffer.from(cursor, "base64url").toString("utf8");

/**
 * A cursor's time was a row's timestamp: 1970 to 9999. Past that a Date is invalid or has a
 * six-digit year that neither driver sends, so a forged cursor is INVALID_CURSOR (400), not a 500.
 */
const MAX_CURSOR_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const isCursorTime = (ms: number) => Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_CURSOR_MS;

/**
 * The plain keyset (created_at, id): "<epoch ms>:<uuid>". Millisecond precision matches the
 * timestamptz(3) cursor columns exactly.
 */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(pos: KeysetPosition): string {
  return Buffer.from(`${pos.createdAt.getTime()}:${pos.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): KeysetPosition {
  const decoded = fromBase64(cursor);
  const sep = decoded.indexOf(":");
  const ms = Number(decoded.slice(0, sep));
  const id = decoded.slice(sep + 1);
  if (sep < 1 || !isCursorTime(ms) || !UUID.test(id)) throw invalid();
  return { createdAt: new Date(ms), id };
}

const SLUG_PREFIX = "slug:";
const SLUG_MAX = 200;

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

/** Weekly digests keyset: (week_start, id), newest week first, "digest:<YYYY-MM-DD>:<uuid>". */
export interface DigestKeysetPosition {
  weekStart: string;
  id: string;
}

const DIGEST_PREFIX = "digest:";

export function encodeDigestCursor(pos: DigestKeysetPosition): string {
  return Buffer.from(`${DIGEST_PREFIX}${pos.weekStart}:${pos.id}`).toString("base64url");
}

export function decodeDigestCursor(cursor: string): DigestKeysetPosition {
  const decoded = fromBase64(cursor);
  const match = /^digest:(\d{4}-\d{2}-\d{2}):(.+)$/.exec(decoded);
  const weekStart = match?.[1];
  const id = match?.[2];
  if (!weekStart || !id || !UUID.test(id) || Number.isNaN(Date.parse(weekStart))) throw invalid();
  return { weekStart, id };
}

/** Inbox keyset (messages.conversations): (last_message_at, companion_id), "inbox:<epoch ms>:<uuid>". */
export interface InboxKeysetPosition {
  at: Date;
  companionId: string;
}

const INBOX_PREFIX = "inbox";

export function encodeInboxCursor(pos: InboxKeysetPosition): string {
  return Buffer.from(`${INBOX_PREFIX}:${pos.at.getTime()}:${pos.companionId}`).toString("base64url");
}

export function decodeInboxCursor(cursor: string): InboxKeysetPosition {
  const parts = fromBase64(cursor).split(":");
  const [prefix, ms, id] = parts;
  const time = Number(ms);
  if (parts.length !== 3 || prefix !== INBOX_PREFIX || !ms || !/^\d+$/.test(ms) || !isCursorTime(time) || !id || !UUID.test(id)) throw invalid();
  return { at: new Date(time), companionId: id };
}

/**
 * Search keyset: (rank, kind, id), "search:<rank>:<kind>:<uuid>". The rank is Postgres' own
 * text for the real ts_rank returned, so the next page compares against exactly that value.
 */
export type SearchKind = "memory" | "message";

export interface SearchKeysetPosition {
  rank: string;
  kind: SearchKind;
  id: string;
}

const SEARCH_PREFIX = "search";
// A real's text: digits, a point, an exponent; never NaN or Infinity (ts_rank is finite, >= 0).
const RANK = /^\d+(\.\d+)?(e[+-]?\d+)?$/i;

export function encodeSearchCursor(pos: SearchKeysetPosition): string {
  return Buffer.from(`${SEARCH_PREFIX}:${pos.rank}:${pos.kind}:${pos.id}`).toString("base64url");
}

export function decodeSearchCursor(cursor: string): SearchKeysetPosition {
  const parts = fromBase64(cursor).split(":");
  const [prefix, rank, kind, id] = parts;
  if (parts.length !== 4 || prefix !== SEARCH_PREFIX || !rank || rank.length > 30 || !RANK.test(rank) || (kind !== "memory" && kind !== "message") || !id || !UUID.test(id)) {
    throw invalid();
  }
  return { rank, kind, id };
}

/** Hybrid search keyset: (fused score, kind, id), "hybrid:<score>:<kind>:<uuid>"; the score is a JS double's own text. */
export interface HybridKeysetPosition {
  score: number;
  kind: SearchKind;
  id: string;
}

const HYBRID_PREFIX = "hybrid";

export function encodeHybridCursor(pos: HybridKeysetPosition): string {
  return Buffer.from(`${HYBRID_PREFIX}:${String(pos.score)}:${pos.kind}:${pos.id}`).toString("base64url");
}

export function decodeHybridCursor(cursor: string): HybridKeysetPosition {
  const parts = fromBase64(cursor).split(":");
  const [prefix, score, kind, id] = parts;
  if (parts.length !== 4 || prefix !== HYBRID_PREFIX || !score || score.length > 30 || !RANK.test(score) || (kind !== "memory" && kind !== "message") || !id || !UUID.test(id)) {
    throw invalid();
  }
  return { score: Number(score), kind, id };
}
