import {
  authChangePasswordInput,
  authChangePasswordOutput,
  authLoginInput,
  authLoginOutput,
  authLogoutAllOutput,
  authLogoutInput,
  authLogoutOutput,
  authMeOutput,
  authRefreshInput,
  authRefreshOutput,
  authRegisterInput,
  authRegisterOutput,
  authSecurityEventsInput,
  authSecurityEventsOutput,
  authStreamTicketOutput,
  authDeleteAccountInput,
  authDeleteAccountOutput,
  authExportDataOutput,
  authExportStatusOutput,
  authUpdateProfileInput,
  authUpdateProfileOutput,
  authRequestPasswordResetInput,
  authRequestPasswordResetOutput,
  authResetPasswordInput,
  authResetPasswordOutput,
} from "@companion/validators";
import { normalizeEmail } from "@companion/auth";
import { listSecurityEvents } from "@companion/db";
import { toWireSecurityEvent, toWireSession, toWireTokens } from "../wire/auth.ts";
import { middleware, protectedProcedure, publicProcedure, router, userProcedure } from "../trpc.ts";

/** Password reset requests: per client IP, and per email asked for (known or not, so the limit tells nothing). */
const resetRateLimited = middleware(async ({ ctx, input, next }) => {
  await ctx.services.rateLimits.consume("passwordResetIp", `ip:${ctx.meta.ip ?? "unknown"}`);
  const email = (input as { email?: unknown }).email;
  if (typeof email === "string") await ctx.services.rateLimits.consume("passwordResetEmail", `email:${normalizeEmail(email)}`);
  return next();
});

export const authRouter = router({
  register: publicProcedure
    .input(authRegisterInput)
    .output(authRegisterOutput)
    .mutation(async ({ ctx, input }) => toWireSession(await ctx.services.auth.register(input, ctx.meta))),

  login: publicProcedure
    .input(authLoginInput)
    .output(authLoginOutput)
    .mutation(async ({ ctx, input }) => toWireSession(await ctx.services.auth.login(input, ctx.meta))),

  refresh: publicProcedure
    .input(authRefreshInput)
    .output(authRefreshOutput)
    .mutation(async ({ ctx, input }) => ({ tokens: toWireTokens((await ctx.services.auth.refresh(input.refreshToken, ctx.meta)).tokens) })),

  logout: publicProcedure
    .input(authLogoutInput)
    .output(authLogoutOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.logout(input.refreshToken, ctx.meta);
      return { ok: true as const };
    }),

  logoutAll: protectedProcedure.output(authLogoutAllOutput).mutation(async ({ ctx }) => {
    await ctx.services.auth.logoutAll(ctx.user.id, ctx.meta);
    return { ok: true as const };
  }),

  /** My profile, with my avatar's URL, language, time zone and quiet hours (docs/account.md#profile). */
  me: protectedProcedure.output(authMeOutput).query(async ({ ctx }) => ctx.services.account.profile(ctx.user.id)),

  /**
   * A single-use ticket for one SSE connection, valid for a minute, for clients that cannot
   * send an Authorization header (a browser's EventSource): the `ticket` connection parameter.
   */
  streamTicket: protectedProcedure.output(authStreamTicketOutput).mutation(async ({ ctx }) => {
    const { ticket, expiresAt } = await ctx.services.auth.issueStreamTicket({ userId: ctx.user.id, sessionId: ctx.user.sessionId, role: ctx.user.role });
    return { ticket, expiresAt: expiresAt.toISOString() };
  }),

  changePassword: protectedProcedure
    .input(authChangePasswordInput)
    .output(authChangePasswordOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.changePassword(ctx.user.id, input, ctx.user.sessionId, ctx.meta);
      return { ok: true as const };
    }),

  /**
   * Deletes my account and everything of mine, after checking my password again; a wrong one is
   * FORBIDDEN naming `password` (docs/account.md#deletion).
   */
  deleteAccount: protectedProcedure
    .input(authDeleteAccountInput)
    .output(authDeleteAccountOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.account.deleteAccount(ctx.user.id, input.password, ctx.meta);
      return { ok: true as const };
    }),

  /** Starts a data export: a job builds the archive and a `data_export_ready` notification links it (docs/account.md#export). */
  exportData: userProcedure.output(authExportDataOutput).mutation(async ({ ctx }) => ctx.services.account.requestExport(ctx.db, ctx.user.id)),

  /** My latest export (null: none), with a fresh download URL while it is ready. */
  exportStatus: userProcedure.output(authExportStatusOutput).query(async ({ ctx }) => ctx.services.account.exportStatus(ctx.db, ctx.user.id)),

  /** Display name, avatar (an uploaded image; null removes it), time zone, quiet hours, language. */
  updateProfile: userProcedure
    .input(authUpdateProfileInput)
    .output(authUpdateProfileOutput)
    .mutation(async ({ ctx, input }) => ctx.services.account.updateProfile(ctx.db, ctx.user.id, input)),

  /** Mails a reset link if the email has an account; the same answer, in about the same time, either way. */
  requestPasswordReset: publicProcedure
    .input(authRequestPasswordResetInput)
    .use(resetRateLimited)
    .output(authRequestPasswordResetOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.account.requestPasswordReset(input.email, ctx.meta);
      return { ok: true as const };
    }),

  /** Sets a new password with a mailed token (single use, 30 minutes) and ends every session. */
  resetPassword: publicProcedure
    .input(authResetPasswordInput)
    .output(authResetPasswordOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.account.resetPassword(input.token, input.password, ctx.meta);
      return { ok: true as const };
    }),

  /** My security log (docs/security-events.md), newest first. */
  securityEvents: userProcedure
    .input(authSecurityEventsInput)
    .output(authSecurityEventsOutput)
    .query(async ({ ctx, input }) => {
      const page = await listSecurityEvents(ctx.db, { userId: ctx.user.id, cursor: input.cursor, limit: input.limit });
      return { items: page.items.map(toWireSecurityEvent), nextCursor: page.nextCursor };
    }),
});
