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
} from "@companion/validators";
import { listSecurityEvents } from "@companion/db";
import { toWireSecurityEvent, toWireSession, toWireTokens, toWireUser } from "../wire/auth.ts";
import { protectedProcedure, publicProcedure, router, userProcedure } from "../trpc.ts";

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

  me: protectedProcedure.output(authMeOutput).query(async ({ ctx }) => toWireUser(await ctx.services.auth.me(ctx.user.id))),

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

  /** My security log (docs/security-events.md), newest first. */
  securityEvents: userProcedure
    .input(authSecurityEventsInput)
    .output(authSecurityEventsOutput)
    .query(async ({ ctx, input }) => {
      const page = await listSecurityEvents(ctx.db, { userId: ctx.user.id, cursor: input.cursor, limit: input.limit });
      return { items: page.items.map(toWireSecurityEvent), nextCursor: page.nextCursor };
    }),
});
