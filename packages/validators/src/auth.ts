import { z } from "zod";
import { isoDateTime, pageInput, text } from "./common.ts";

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
export const authMeOutput = publicUser;
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
