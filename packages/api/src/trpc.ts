/**
 * tRPC setup: the error formatter and the procedure types; which type a procedure uses, and why,
 * is in docs/code-style.md ("Procedures").
 */
import { withUser } from "@companion/db";
import { initTRPC, TRPCError } from "@trpc/server";
import type { Context } from "./context.ts";
import { formatError, mapStreamErrors, toTRPCErrorFor } from "./errors.ts";

const t = initTRPC.context<Context>().create({
  errorFormatter: formatError,
  // Stack traces never leave the server, whatever NODE_ENV says.
  isDev: false,
  sse: {
    // No per-value ping: it costs a timer and a promise race on every streamed token. The
    // HTTP server pings silent streams itself, with tRPC's ping event (apps/server
    // sse-keepalive.ts, SSE_KEEPALIVE_MS at most 15 s), which resets this client timer.
    ping: { enabled: false },
    client: { reconnectAfterInactivityMs: 30_000 },
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

const domainErrors = t.middleware(async ({ ctx, type, next }) => {
  const result = await next();
  const caller = { db: ctx.services.db, userId: ctx.user?.id };
  if (!result.ok) {
    const mapped = await toTRPCErrorFor(result.error, caller);
    if (mapped) throw mapped;
  }
  // A subscription's errors after it started never come back through here: map them in the stream.
  if (result.ok && type === "subscription" && isAsyncIterable(result.data)) {
    return { ...result, data: mapStreamErrors(result.data, caller) };
  }
  return result;
});

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

export const publicProcedure = t.procedure.use(domainErrors);

/** Requires a valid access token; narrows `ctx.user` to non-null. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError ?? "Sign in required" });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/**
 * Runs the rest of the call, wire mapping and output validation included, in `withUser` and hands
 * it `ctx.db`; a failed result is thrown again inside, so the transaction rolls back. Rate limits
 * and `counted` go before it (docs/rls.md, "userProcedure").
 */
export const userScope = t.middleware(async ({ ctx, next }) => {
  const user = ctx.user;
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError ?? "Sign in required" });
  return withUser(ctx.services.db, user.id, async (db) => {
    const result = await next({ ctx: { user, db } });
    if (!result.ok) throw result.error;
    return result;
  });
});

/**
 * `protectedProcedure` in the caller's user scope: `ctx.db` is the scoped transaction. userScope
 * refuses an anonymous caller as protectedProcedure does, so the chain skips that step (one
 * middleware less per call).
 */
export const userProcedure = publicProcedure.use(userScope);
