import { z } from "zod";
import { isoDateTime, pageInput, text, uuid } from "./common.ts";
import { mediaKey } from "./media.ts";
import { quietHours, timeZone } from "./settings.ts";

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 256;

// Trimmed before validation so pasted addresses with stray spaces are accepted.
const email = text().trim().max(254).pipe(z.email());
const password = text().min(PASSWORD_MIN).max(PASSWORD_MAX);

export const authRegisterInput = z.object({
  email,
  password,
  displayName: text().trim().min(1).max(80),
});

// Login accepts any non-empty password up to the cap: the policy may have changed since sign-up
// (a password is only ever hashed, so even a NUL in it reaches no database).
// deviceToken: the one the last login or registration on this device returned (docs/auth.md#throttling).
export const authLoginInput = z.object({
  email,
  password: z.string().min(1).max(PASSWORD_MAX),
  deviceToken: z.string().min(1).max(512).optional(),
});

const refreshTokenBody = z.object({ refreshToken: text().min(20).max(256) });
export const authRefreshInput = refreshTokenBody;
export const authLogoutInput = refreshTokenBody;

export const authChangePasswordInput = z.object({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: password,
});

const publicUser = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(["user", "admin"]),
  createdAt: isoDateTime,
});
export type PublicUser = z.infer<typeof publicUser>;

/** My profile: what auth.me shows, plus the avatar, language, time zone and quiet hours. */
const profile = publicUser.extend({
  /** A signed URL of my avatar (relative to the API origin on local storage); null without one. */
  avatarUrl: z.string().nullable(),
  language: z.string(),
  timeZone: z.string(),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
});

const authTokens = z.object({
  accessToken: z.string(),
  accessTokenExpiresAt: isoDateTime,
  refreshToken: z.string(),
  refreshTokenExpiresAt: isoDateTime,
});
export type AuthTokens = z.infer<typeof authTokens>;

/**
 * `deviceToken`: keep it on the device and send it with the next `auth.login`; it lets the owner's
 * device past the throttles that an attacker's failures on the account or the IP set off.
 */
const authSession = z.object({ user: publicUser, tokens: authTokens, deviceToken: z.string() });
export type AuthSession = z.infer<typeof authSession>;

const ok = z.object({ ok: z.literal(true) });

export const authRegisterOutput = authSession;
export const authLoginOutput = authSession;
export const authRefreshOutput = z.object({ tokens: authTokens });
export const authLogoutOutput = ok;
export const authLogoutAllOutput = ok;
export const authMeOutput = profile;
export const authChangePasswordOutput = ok;

const securityEventKind = z.enum([
  "login_failed",
  "login_throttled",
  "refresh_reuse",
  "password_changed",
  "password_reset_requested",
  "password_reset",
  "session_revoked",
  "sessions_revoked",
  "account_deleted",
  "account_banned",
  "safety_refused",
]);

const securityEvent = z.object({
  id: z.uuid(),
  kind: securityEventKind,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  createdAt: isoDateTime,
});
export type SecurityEvent = z.infer<typeof securityEvent>;

export const authSecurityEventsInput = pageInput;
export const authSecurityEventsOutput = z.object({ items: z.array(securityEvent), nextCursor: z.string().nullable() });

/**
 * A short-lived, single-use credential for one SSE connection, for clients that cannot
 * send an Authorization header (a browser's EventSource): pass it as the `ticket`
 * connection parameter. packages/client sends the header instead.
 */
export const streamTicket = z.object({ ticket: z.string(), expiresAt: isoDateTime });
export const authStreamTicketOutput = streamTicket;

/** auth.deleteAccount: the password again, so a stolen access token alone cannot delete the account (docs/account.md). */
export const authDeleteAccountInput = z.object({ password: z.string().min(1).max(PASSWORD_MAX) });
export const authDeleteAccountOutput = ok;

/** A data export (auth.exportData, docs/account.md#export); `url` is set while it is ready: a signed link for about 15 minutes. */
const dataExport = z.object({
  id: uuid,
  status: z.enum(["pending", "ready", "failed"]),
  createdAt: isoDateTime,
  completedAt: isoDateTime.nullable(),
  /** When the archive is deleted. */
  expiresAt: isoDateTime.nullable(),
  bytes: z.number().int().nullable(),
  /** Relative to the API origin on local storage, absolute on S3; null unless ready. */
  url: z.string().nullable(),
  urlExpiresAt: isoDateTime.nullable(),
});
export const authExportDataOutput = dataExport;
/** My latest export with a fresh download URL, or null. */
export const authExportStatusOutput = dataExport.nullable();

/**
 * A BCP 47-ish language tag: a 2–3 letter language, then optional script (4 letters),
 * region (2 letters or 3 digits) and variants ("en", "pt-BR", "zh-Hant-TW", "es-419").
 */
const languageTag = z
  .string()
  .max(35)
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|\d{3}))?(-([a-zA-Z\d]{5,8}|\d[a-zA-Z\d]{3}))*$/, "Expected a language tag such as en or pt-BR");

/** Fields left out keep their value; `avatarKey: null` removes the avatar, `quietHours: null` turns quiet hours off. */
export const authUpdateProfileInput = z
  .object({
    displayName: text().trim().min(1).max(80).optional(),
    avatarKey: mediaKey.nullable().optional(),
    timeZone: timeZone.optional(),
    quietHours: quietHours.nullable().optional(),
    language: languageTag.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "Nothing to update" });

export const authUpdateProfileOutput = profile;

/** Always `{ ok: true }`, whether or not the address has an account. */
export const authRequestPasswordResetInput = z.object({ email });
export const authRequestPasswordResetOutput = ok;

export const authResetPasswordInput = z.object({ token: text().min(20).max(256), password });
export const authResetPasswordOutput = ok;
export type AuthExportDataOutput = z.infer<typeof authExportDataOutput>;
export type AuthUpdateProfileOutput = z.infer<typeof authUpdateProfileOutput>;
