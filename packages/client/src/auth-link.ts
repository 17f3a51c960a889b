import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AppRouter } from "./router.ts";
import type { AuthTokens } from "./types.ts";

export interface TokenSource {
  /** Where the app keeps its access token (storage, memory, secure store). */
  getAccessToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Needed for automatic refresh; without it an expired token just fails. */
  getRefreshToken?: () => string | null | undefined | Promise<string | null | undefined>;
  onTokens?: (tokens: AuthTokens | null) => void | Promise<void>;
  /**
   * Replaces the built-in `auth.refresh` call: for an app whose refresh token the page's code
   * never sees (a browser app that keeps it in an httpOnly cookie behind its own route). Answers
   * a new access token, or null when the session is over.
   */
  refreshSession?: () => Promise<{ accessToken: string } | null>;
}

/**
 * The newest tokens this client has seen win over the app's getters, so a retry after a
 * refresh uses the new access token even if the app stores tokens asynchronously.
 */
export function createTokenState(source: TokenSource) {
  // undefined: nothing seen yet, defer to the getters
  let latest: { accessToken: string; refreshToken: string | null } | null | undefined;
  return {
    access: async () => (latest === undefined ? ((await source.getAccessToken?.()) ?? null) : (latest?.accessToken ?? null)),
    refresh: async () => (latest === undefined ? ((await source.getRefreshToken?.()) ?? null) : (latest?.refreshToken ?? null)),
    set: async (tokens: AuthTokens | null) => {
      latest = tokens && { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
      await source.onTokens?.(tokens);
    },
    /** An access token from `refreshSession` (the app has it already: no onTokens). */
    setAccess: (accessToken: string) => {
      latest = { accessToken, refreshToken: latest?.refreshToken ?? null };
    },
  };
}
type TokenState = ReturnType<typeof createTokenState>;

const TOKEN_PATHS = new Set(["auth.login", "auth.register", "auth.refresh"]);
const SIGN_OUT_PATHS = new Set(["auth.logout", "auth.logoutAll"]);
// Calls that must not trigger a refresh-and-retry: they are the credential exchanges themselves.
const NO_RETRY_PATHS = new Set(["auth.login", "auth.register", "auth.refresh", "auth.logout"]);

const isUnauthorized = (err: unknown) => err instanceof TRPCClientError && (err.data as { code?: string } | undefined)?.code === "UNAUTHORIZED";

/**
 * Keeps tokens from auth results, and on UNAUTHORIZED refreshes once (shared by all
 * concurrent failures) and retries the operation once.
 */
export function authLink(opts: {
  tokens: TokenState;
  refresh: (refreshToken: string) => Promise<AuthTokens>;
  refreshSession?: TokenSource["refreshSession"];
}): TRPCLink<AppRouter> {
  let inflightRefresh: Promise<boolean> | null = null;
  const refreshOnce = (): Promise<boolean> => {
    inflightRefresh ??= (async () => {
      if (opts.refreshSession) {
        const session = await opts.refreshSession();
        if (session) opts.tokens.setAccess(session.accessToken);
        return session !== null;
      }
      const refreshToken = await opts.tokens.refresh();
      if (!refreshToken) return false;
      try {
        await opts.tokens.set(await opts.refresh(refreshToken));
        return true;
      } catch (err) {
        if (isUnauthorized(err)) await opts.tokens.set(null);
        return false;
      }
    })().finally(() => {
      inflightRefresh = null;
    });
    return inflightRefresh;
  };

  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let sub: Unsubscribable | undefined;
        let retried = false;
        // A subscription refused before its first event (an access token that expired while
        // the app sat on a screen) is retried like a query; one that had started is not.
        let emitted = false;
        // Token side effects are async; chain every emission so order is kept (next before complete).
        let queue = Promise.resolve();
        const emit = (fn: () => void | Promise<void>) => {
          queue = queue.then(fn).catch((e: unknown) => observer.error(TRPCClientError.from(e as Error)));
        };
        const run = () => {
          sub = next(op).subscribe({
            next: (value) => {
              // Query/mutation results carry `data` without a `type` tag; subscriptions tag theirs
              // and also send data-less `started` / `stopped` results.
              const hasData = "data" in value.result;
              emitted ||= hasData;
              emit(async () => {
                const data = hasData ? (value.result.data as { tokens?: AuthTokens } | undefined) : undefined;
                if (TOKEN_PATHS.has(op.path) && data?.tokens) await opts.tokens.set(data.tokens);
                else if (SIGN_OUT_PATHS.has(op.path)) await opts.tokens.set(null);
                observer.next(value);
              });
            },
            error: (err) =>
              emit(async () => {
                const canRetry = !retried && !emitted && !NO_RETRY_PATHS.has(op.path) && isUnauthorized(err);
                if (canRetry) {
                  retried = true;
                  if (await refreshOnce().catch(() => false)) return run();
                }
                observer.error(err);
              }),
            complete: () => emit(() => observer.complete()),
          });
        };
        run();
        return () => sub?.unsubscribe();
      });
}
