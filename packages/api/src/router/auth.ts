import {
  authSession,
  authTokens,
  changePasswordInput,
  loginInput,
  publicUser,
  refreshTokenInput,
  registerInput,
  streamTicket,
} from "@companion/validators";
import { z } from "zod";
import { toWireSession, toWireTokens, toWireUser } from "../wire.ts";
import { protectedProcedure, publicProcedure, router } from "../trpc.ts";

export const authRouter = router({
  register: publicProcedure
    .input(registerInput)
    .output(authSession)
    .mutation(async ({ ctx, input }) => toWireSession(await ctx.services.auth.register(input, ctx.meta))),

  login: publicProcedure
    .input(loginInput)
    .output(authSession)
    .mutation(async ({ ctx, input }) => toWireSession(await ctx.services.auth.login(input, ctx.meta))),

  refresh: publicProcedure
    .input(refreshTokenInput)
    .output(z.object({ tokens: authTokens }))
    .mutation(async ({ ctx, input }) => ({ tokens: toWireTokens((await ctx.services.auth.refresh(input.refreshToken, ctx.meta)).tokens) })),

  logout: publicProcedure
    .input(refreshTokenInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.logout(input.refreshToken);
      return { ok: true as const };
    }),

  logoutAll: protectedProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await ctx.services.auth.logoutAll(ctx.user.id);
    return { ok: true as const };
  }),

  me: protectedProcedure.output(publicUser).query(async ({ ctx }) => toWireUser(await ctx.services.auth.me(ctx.user.id))),

  /**
   * A single-use ticket for one SSE connection, valid for a minute, for clients that cannot
   * send an Authorization header (a browser's EventSource): the `ticket` connection parameter.
   */
  streamTicket: protectedProcedure.output(streamTicket).mutation(async ({ ctx }) => {
    const { ticket, expiresAt } = await ctx.services.auth.issueStreamTicket({ userId: ctx.user.id, sessionId: ctx.user.sessionId, role: ctx.user.role });
    return { ticket, expiresAt: expiresAt.toISOString() };
  }),

  changePassword: protectedProcedure
    .input(changePasswordInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.changePassword(ctx.user.id, input, ctx.user.sessionId);
      return { ok: true as const };
    }),
});
