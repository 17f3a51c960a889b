/**
 * createClient's options an app outside this repo relies on, against the real server: extra
 * links run before the client's own, a custom fetch carries every request (the subscription
 * stream included, which is what React Native needs), and a custom EventSource class is used
 * for subscriptions with the access token handed to it.
 */
import { createClient } from "@companion/client";
import type { TRPCLink } from "@trpc/client";
import type { AppRouter } from "@companion/client";
import { observable } from "@trpc/server/observable";
import { EventSource as EventSourcePonyfill } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, streamReply } from "./chat-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

/** A link that notes each operation and how it ended, like tRPC's loggerLink. */
function recordingLink(log: string[]): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        log.push(`${op.type} ${op.path}`);
        return next(op).subscribe({
          next: (value) => observer.next(value),
          error: (err) => {
            log.push(`error ${op.path}`);
            observer.error(err);
          },
          complete: () => observer.complete(),
        });
      });
}

async function firstCompanion(api: ReturnType<typeof createClient>) {
  const companion = await createCompanion(t.database.db);
  await api.companions.connect.mutate({ companionId: companion.id });
  return companion;
}

describe("createClient options", () => {
  it("extra links see every call, a refused one included, before the client's transport", async () => {
    const log: string[] = [];
    let token: string | undefined;
    const api = createClient({ url: t.url, links: [recordingLink(log)], getAccessToken: () => token, onTokens: (x) => void (token = x?.accessToken) });
    await api.auth.me.query().catch(() => undefined);
    await api.auth.register.mutate({ email: uniqueEmail("links"), password: "password-1234", displayName: "Links" });
    const me = await api.auth.me.query();
    expect(me.displayName).toBe("Links");
    expect(log).toEqual(["query auth.me", "error auth.me", "mutation auth.register", "query auth.me"]);
  });

  it("a custom fetch carries the calls and the subscription stream, with the access token", async () => {
    const seen: { path: string; auth: string | null }[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      seen.push({ path: url.pathname, auth: new Headers(init?.headers).get("authorization") });
      return fetch(input, init);
    };
    let token: string | undefined;
    const api = createClient({ url: t.url, fetch: recordingFetch, getAccessToken: () => token, onTokens: (x) => void (token = x?.accessToken) });
    await api.auth.register.mutate({ email: uniqueEmail("fetch"), password: "password-1234", displayName: "Fetch" });
    const companion = await firstCompanion(api);
    const { userMessage } = await api.messages.start.mutate({ companionId: companion.id, content: "Hello there", idempotencyKey: newKey() });
    const events = await streamReply(api, userMessage.id);
    expect(events.at(-1)?.type).toBe("done");

    const stream = seen.filter((s) => s.path === "/trpc/messages.stream");
    expect(stream.length).toBeGreaterThan(0);
    expect(stream.every((s) => s.auth === `Bearer ${token}`)).toBe(true);
    expect(seen.some((s) => s.path === "/trpc/auth.register")).toBe(true);
  });

  it("a custom EventSource class is used for subscriptions and gets the token as `headers`", async () => {
    const constructed: { url: string; headers: Record<string, string> | undefined }[] = [];
    // Stands in for react-native-sse, which takes headers; it sends them through the ponyfill's fetch.
    class HeaderEventSource extends EventSourcePonyfill {
      constructor(url: string | URL, init?: { headers?: Record<string, string> }) {
        constructed.push({ url: String(url), headers: init?.headers });
        super(url, { fetch: (u, i) => fetch(u, { ...i, headers: { ...i.headers, ...init?.headers } }) });
      }
    }
    let token: string | undefined;
    const api = createClient({
      url: t.url,
      EventSource: HeaderEventSource,
      getAccessToken: () => token,
      onTokens: (x) => void (token = x?.accessToken),
    });
    await api.auth.register.mutate({ email: uniqueEmail("es"), password: "password-1234", displayName: "ES" });
    const companion = await firstCompanion(api);
    const { userMessage } = await api.messages.start.mutate({ companionId: companion.id, content: "Hi", idempotencyKey: newKey() });
    const events = await streamReply(api, userMessage.id);
    expect(events.at(-1)?.type).toBe("done");
    expect(constructed.length).toBeGreaterThan(0);
    expect(constructed[0]?.url).toContain("/trpc/messages.stream");
    expect(constructed[0]?.headers?.authorization).toBe(`Bearer ${token}`);
  });
});
