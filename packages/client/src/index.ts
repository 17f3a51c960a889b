/**
 * Typed client for the Companion API, for Next.js, React Native, scripts and tests.
 *
 *   const api = createClient({ url: "http://localhost:3000", onTokens: save });
 *   await api.auth.login.mutate({ email, password });   // tokens kept + onTokens(...)
 *   const me = await api.auth.me.query();
 *
 * A query or mutation made alone goes out at once (httpLink); the calls that follow it in
 * the same synchronous run (a `Promise.all`) are batched and streamed (httpBatchStreamLink),
 * see burst.ts. Subscriptions use SSE (httpSubscriptionLink; the `eventsource` ponyfill
 * where there is no global EventSource, as on Node 20). An UNAUTHORIZED answer triggers one refresh-and-retry.
 */
import { createTRPCClient, httpBatchStreamLink, httpLink, httpSubscriptionLink, splitLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "@companion/api";
import type { AuthTokens } from "@companion/validators";
import { EventSource as EventSourcePonyfill } from "eventsource";
import { authLink, createTokenState, type TokenSource } from "./auth-link.ts";
import { firstOfBurst } from "./burst.ts";

export type { AppRouter } from "@companion/api";
export type { RouterInputs, RouterOutputs } from "./types.ts";
export { TRPCClientError } from "@trpc/client";
export { errorCode, errorReason, isTRPCClientError, type ApiError, type ErrorReason } from "./errors.ts";

export interface CreateClientOptions extends TokenSource {
  /** Server origin (e.g. http://localhost:3000); `/trpc` is appended. */
  url: string;
  /** Called whenever new tokens arrive (login, register, refresh) and with null on logout or a failed refresh. */
  onTokens?: (tokens: AuthTokens | null) => void | Promise<void>;
  /** Extra headers on every request (e.g. x-request-id). */
  headers?: Record<string, string>;
  /** Must not exceed the server's MAX_BATCH_SIZE (default 20). */
  maxBatchSize?: number;
  fetch?: typeof fetch;
}

export type CompanionClient = TRPCClient<AppRouter>;

export function createClient(options: CreateClientOptions): CompanionClient {
  const trpcUrl = `${options.url.replace(/\/+$/, "")}/trpc`;
  const tokens = createTokenState(options);
  const fetchImpl = options.fetch;
  const authHeaders = async (): Promise<Record<string, string>> => {
    const access = await tokens.access();
    return { ...options.headers, ...(access ? { authorization: `Bearer ${access}` } : {}) };
  };

  // A plain client for the refresh call itself, so it never recurses into the auth link.
  const refresher = createTRPCClient<AppRouter>({
    links: [httpLink({ url: trpcUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}), headers: () => options.headers ?? {} })],
  });

  const EventSourceImpl = (globalThis as unknown as { EventSource?: typeof EventSourcePonyfill }).EventSource ?? EventSourcePonyfill;

  return createTRPCClient<AppRouter>({
    links: [
      authLink({
        tokens,
        refresh: (refreshToken) => refresher.auth.refresh.mutate({ refreshToken }).then((r) => r.tokens),
      }),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: trpcUrl,
          EventSource: EventSourceImpl,
          // Browsers' EventSource cannot send headers, so the token travels as a connection param.
          connectionParams: async () => {
            const access = await tokens.access();
            return access ? { token: access } : {};
          },
        }),
        false: splitLink({
          condition: firstOfBurst(),
          true: httpLink({ url: trpcUrl, headers: authHeaders, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
          false: httpBatchStreamLink({
            url: trpcUrl,
            maxItems: options.maxBatchSize ?? 20,
            headers: authHeaders,
            ...(fetchImpl ? { fetch: fetchImpl } : {}),
          }),
        }),
      }),
    ],
  });
}
