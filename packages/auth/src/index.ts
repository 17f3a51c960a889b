export {
  ARGON2_PARAMS,
  PASSWORD_MAX,
  PASSWORD_MIN,
  dummyVerify,
  hashPassword,
  normalizeEmail,
  passwordLength,
  verifyPassword,
} from "./password.ts";
export {
  createAccessTokenService,
  jwtKeyFromSecret,
  parseJwtKeys,
  type AccessTokenClaims,
  type AccessTokenService,
  type AccessTokenServiceOptions,
  type JwtKey,
  type Role,
  type SignAccessTokenInput,
} from "./tokens.ts";
export {
  DEFAULT_REFRESH_GRACE_MS,
  REFRESH_TOKEN_TTL_MS,
  hashRefreshToken,
  revokeFamily,
  revokeUserSessions,
  rotateRefreshToken,
  startRefreshFamily,
  type IssuedRefreshToken,
  type RequestMeta,
  type RotationResult,
} from "./refresh-tokens.ts";
export { createLoginThrottle, type LoginThrottle, type LoginThrottleOptions, type ThrottleLimit } from "./throttle.ts";
export {
  disableUser,
  enableUser,
  listUserSessions,
  revokeSessions,
  type AccountChange,
  type SessionSummary,
} from "./accounts.ts";
export { createAuthService, type AuthService, type AuthServiceDeps, type AuthTokens, type PublicUser } from "./service.ts";
