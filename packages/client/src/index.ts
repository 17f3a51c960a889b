/**
 * Typed client for the Companion API (apps, scripts, tests); README "Try it from code" shows its use.
 * Lone calls leave at once, bursts are batched (burst.ts); subscriptions use SSE with the token in a
 * header, never a URL; an UNAUTHORIZED answer triggers one refresh-and-retry.
 */
import { createTRPCClient, httpBatchStreamLink, httpLink, httpSubscriptionLink, splitLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "@companion/api";
import type { AuthTokens } from "@companion/validators";
import { EventSource as EventSourcePonyfill } from "eventsource";
import { authLink, createTokenState, type TokenSource } from "./auth-link.ts";
import { firstOfBurst } from "./burst.ts";
import { withTypedTransportErrors } from "./errors.ts";

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
  const fetchImpl = withTypedTransportErrors(options.fetch);
  const authHeaders = async (): Promise<Record<string, string>> => {
    const access = await tokens.access();
    return { ...options.headers, ...(access ? { authorization: `Bearer ${access}` } : {}) };
  };

  // A plain client for the refresh call itself, so it never recurses into the auth link.
  const refresher = createTRPCClient<AppRouter>({
    links: [httpLink({ url: trpcUrl, fetch: fetchImpl, headers: () => options.headers ?? {} })],
  });
  const sseFetch = options.fetch ?? globalThis.fetch;

  const burst = firstOfBurst();
  return createTRPCClient<AppRouter>({
    links: [
      authLink({
        tokens,
        refresh: (refreshToken) => refresher.auth.refresh.mutate({ refreshToken }).then((r) => r.tokens),
        refreshSession: options.refreshSession,
      }),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: trpcUrl,
          // Not a browser's own EventSource, which cannot send headers: this one asks for
          // the current access token on every connection, reconnects included.
          EventSource: EventSourcePonyfill,
          eventSourceOptions: () => ({
            fetch: async (url, init) => sseFetch(url, { ...init, headers: { ...init.headers, ...(await authHeaders()) } }),
          }),
        }),
        false: splitLink({
          // A card import (up to 8 MiB of PNG) goes alone: the server lifts the body cap for it only.
          condition: (op) => op.path === "companions.importCard" || burst(),
          true: httpLink({ url: trpcUrl, headers: authHeaders, fetch: fetchImpl }),
          false: httpBatchStreamLink({
            url: trpcUrl,
            maxItems: options.maxBatchSize ?? 20,
            headers: authHeaders,
            fetch: fetchImpl,
          }),
        }),
      }),
    ],
  });
}
