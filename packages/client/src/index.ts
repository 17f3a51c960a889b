/**
 * Typed client for the Companion API (apps, scripts, tests); README "Try it from code" shows its use.
 * Lone calls leave at once, bursts are batched (burst.ts); subscriptions use SSE with the token in a
 * header, never a URL; an UNAUTHORIZED answer triggers one refresh-and-retry.
 */
import { createTRPCClient, httpBatchStreamLink, httpLink, httpSubscriptionLink, splitLink, type TRPCClient, type TRPCLink } from "@trpc/client";
import { authLink, createTokenState, type TokenSource } from "./auth-link.ts";
import { firstOfBurst } from "./burst.ts";
import { deferredLink } from "./deferred-link.ts";
import { withTypedTransportErrors } from "./errors.ts";
import type { AppRouter } from "./router.ts";
import type { AuthTokens } from "./types.ts";

export type { AppRouter } from "./router.ts";
export type { AuthTokens, ErrorData, RouterInputs, RouterOutputs } from "./types.ts";
export { TRPCClientError } from "@trpc/client";
export { errorCode, errorReason, isTRPCClientError, type ApiError, type ClientErrorCode, type ErrorReason } from "./errors.ts";

/** An EventSource class as tRPC's subscription link takes it (the `eventsource` package's, react-native-sse's). */
export type EventSourceConstructor = NonNullable<Parameters<typeof httpSubscriptionLink>[0]["EventSource"]>;

export interface CreateClientOptions extends TokenSource {
  /** Server origin (e.g. http://localhost:3000); `/trpc` is appended. */
  url: string;
  /** Called whenever new tokens arrive (login, register, refresh) and with null on logout or a failed refresh. */
  onTokens?: (tokens: AuthTokens | null) => void | Promise<void>;
  /** Extra headers on every request (e.g. x-request-id). */
  headers?: Record<string, string>;
  /** Must not exceed the server's MAX_BATCH_SIZE (default 20). */
  maxBatchSize?: number;
  /**
   * Used for every request, subscriptions included (React Native: a fetch whose response body
   * streams, e.g. `expo/fetch`; docs/client.md). Default: the global fetch.
   */
  fetch?: typeof fetch;
  /**
   * The EventSource class subscriptions use. Default: the `eventsource` package's, which sends
   * the access token in a header through `fetch`. Another one (react-native-sse) gets the same
   * headers as an `headers` option; it must send them, or subscriptions are refused.
   */
  EventSource?: EventSourceConstructor;
  /** Links run before the client's own (a `loggerLink`, say): they see every operation and its result. */
  links?: TRPCLink<AppRouter>[];
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

  const subscriptionLink = (EventSource: EventSourceConstructor) =>
    httpSubscriptionLink({
      url: trpcUrl,
      // Not a browser's own EventSource, which cannot send headers: the default one (the
      // `eventsource` package) asks for the current access token on every connection through
      // `fetch`, its own reconnects included. The headers also go as `headers`, for an
      // EventSource that takes them so (react-native-sse), read when tRPC (re)connects.
      EventSource,
      eventSourceOptions: async () => ({
        headers: await authHeaders(),
        fetch: async (url: string | URL, init: { headers?: Record<string, string> }) => sseFetch(url, { ...init, headers: { ...init.headers, ...(await authHeaders()) } }),
      }),
    });

  const burst = firstOfBurst();
  return createTRPCClient<AppRouter>({
    links: [
      ...(options.links ?? []),
      authLink({
        tokens,
        refresh: (refreshToken) => refresher.auth.refresh.mutate({ refreshToken }).then((r) => r.tokens),
        refreshSession: options.refreshSession,
      }),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: options.EventSource
          ? subscriptionLink(options.EventSource)
          : deferredLink(() => import("eventsource").then((m) => subscriptionLink(m.EventSource))),
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
