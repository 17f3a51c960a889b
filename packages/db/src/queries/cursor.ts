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

export function encodeCursor(pos: KeysetPosition): string {
  return Buffer.from(`${pos.createdAt.getTime()}:${pos.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): KeysetPosition {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  const sep = decoded.indexOf(":");
  const ms = Number(decoded.slice(0, sep));
  const id = decoded.slice(sep + 1);
  if (sep < 1 || !Number.isSafeInteger(ms) || ms < 0 || !UUID.test(id)) {
    throw new DomainError("BAD_REQUEST", "Invalid cursor", { field: "cursor" });
  }
  return { createdAt: new Date(ms), id };
}
