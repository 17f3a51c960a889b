import { DomainError } from "../errors.ts";

/**
 * Opaque keyset cursor over (created_at, id): base64url of "<epoch ms>:<uuid>".
 * Millisecond precision matches the timestamptz(3) cursor columns exactly.
 */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A cursor's time was a row's timestamp: 1970 to 9999. Past that a Date is invalid or has a
 * six-digit year that neither driver sends, so a forged cursor is BAD_REQUEST, not a 500.
 */
const MAX_CURSOR_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const isCursorTime = (ms: number) => Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_CURSOR_MS;

export function encodeCursor(pos: KeysetPosition): string {
  return Buffer.from(`${pos.createdAt.getTime()}:${pos.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): KeysetPosition {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  const sep = decoded.indexOf(":");
  const ms = Number(decoded.slice(0, sep));
  const id = decoded.slice(sep + 1);
  if (sep < 1 || !isCursorTime(ms) || !UUID.test(id)) {
    throw new DomainError("INVALID_CURSOR", "Invalid cursor", { field: "cursor" });
  }
  return { createdAt: new Date(ms), id };
}
