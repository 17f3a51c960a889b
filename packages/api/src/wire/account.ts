/** The account's records as wire shapes (docs/account.md). */
import type { DataExportRecord, ProfileRecord } from "@companion/db";
import type { AuthExportDataOutput, AuthUpdateProfileOutput } from "@companion/validators";
import { toWireQuietHours } from "./settings.ts";

export const toWireProfile = (p: ProfileRecord, avatarUrl: string | null): AuthUpdateProfileOutput => ({
  id: p.id,
  email: p.email,
  displayName: p.displayName,
  role: p.role,
  createdAt: p.createdAt.toISOString(),
  avatarUrl,
  language: p.language,
  timeZone: p.timeZone,
  quietHours: toWireQuietHours(p.quietStartMinute, p.quietEndMinute),
});

export const toWireDataExport = (e: DataExportRecord, link: { url: string; expiresAt: Date } | null): AuthExportDataOutput => ({
  id: e.id,
  status: e.status,
  createdAt: e.createdAt.toISOString(),
  completedAt: e.completedAt?.toISOString() ?? null,
  expiresAt: e.expiresAt?.toISOString() ?? null,
  bytes: e.bytes,
  url: link?.url ?? null,
  urlExpiresAt: link?.expiresAt.toISOString() ?? null,
});
