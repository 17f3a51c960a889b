export {
  PASSWORD_MAX,
  PASSWORD_MIN,
  hashPassword,
  normalizeEmail,
  passwordLength,
  verifyPassword,
} from "./password.ts";
export {
  createAccessTokenService,
  jwtKeyFromSecret,
  parseJwtKeys,
  type JwtKey,
} from "./tokens.ts";
export { createLoginThrottle } from "./throttle.ts";
export { startSessionRevocations, type SessionRevocations } from "./revocations.ts";
export {
  disableUser,
  enableUser,
  listUserSessions,
  revokeSessions,
} from "./accounts.ts";
export { createAuthService, type AuthService, type AuthTokens, type PublicUser } from "./service.ts";
export { deleteAccount } from "./account-deletion.ts";
export { issuePasswordReset, resetPassword } from "./password-reset.ts";
