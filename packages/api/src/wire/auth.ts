/** Auth results (Dates) as wire shapes (ISO strings) declared in @companion/validators. */
import type { AuthTokens as ServiceTokens, PublicUser as ServiceUser } from "@companion/auth";
import type { SecurityEventRecord } from "@companion/db";
import type { AuthSession, AuthTokens, PublicUser, SecurityEvent } from "@companion/validators";

const toWireUser = (u: ServiceUser): PublicUser => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
});

export const toWireTokens = (t: ServiceTokens): AuthTokens => ({
  accessToken: t.accessToken,
  accessTokenExpiresAt: t.accessTokenExpiresAt.toISOString(),
  refreshToken: t.refreshToken,
  refreshTokenExpiresAt: t.refreshTokenExpiresAt.toISOString(),
});

export const toWireSession = (s: { user: ServiceUser; tokens: ServiceTokens; deviceToken: string }): AuthSession => ({
  user: toWireUser(s.user),
  tokens: toWireTokens(s.tokens),
  deviceToken: s.deviceToken,
});

export const toWireSecurityEvent = (e: SecurityEventRecord): SecurityEvent => ({
  id: e.id,
  kind: e.kind,
  ip: e.ip,
  userAgent: e.userAgent,
  detail: e.detail,
  createdAt: e.createdAt.toISOString(),
});
