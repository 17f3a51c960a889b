/**
 * How a chat message and its stream travel: the text in a POST body, the SSE request
 * carrying only the message id (and, for clients that cannot send headers, a single-use
 * ticket), and 413/431 answers that reach the client as typed errors with a code.
 */
import type { IncomingMessage } from "node:http";
import { isTRPCClientError, type AppRouter } from "@companion/client";
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, signUp, streamToEnd, type ChatUser, type StreamEvent } from "./chat-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const MAX_BODY_BYTES = 64 * 1024;
let t: TestServer;
const urls: string[] = [];
const onRequest = (req: IncomingMessage) => void urls.push(req.url ?? "");

beforeAll(async () => {
  t = await startTestServer({ MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
  t.server.app.server.on("request", onRequest);
});
afterAll(async () => {
  t.server.app.server.off("request", onRequest);
  await t?.stop();
});

async function connectedUser(): Promise<{ user: ChatUser; companionId: string }> {
  const user = await signUp(t);
  const companion = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId: companion.id });
  return { user, companionId: companion.id };
}

/** A client as a browser's own EventSource would be: no headers, only what the URL carries. */
function headerlessSubscriber(connectionParams: Record<string, string>) {
  return createTRPCClient<AppRouter>({
    links: [httpSubscriptionLink({ url: `${t.url}/trpc`, EventSource, connectionParams })],
  });
}

/** The reply stream of `messageId` through `client`, until done or an error. */
function streamWith(client: ReturnType<typeof headerlessSubscriber>, messageId: string): Promise<StreamEvent[] | { error: string }> {
  return new Promise((resolve) => {
    const events: StreamEvent[] = [];
    const sub = client.messages.stream.subscribe(
      { messageId },
      {
        onData: (event) => {
          events.push(event);
          if (event.type === "done") {
            sub.unsubscribe();
            resolve(events);
          }
        },
        onError: (err) => {
          sub.unsubscribe();
          resolve({ error: isTRPCClientError(err) ? (err.data?.code ?? err.message) : String(err) });
        },
      },
    );
  });
}

describe("chat messages travel in bodies, not URLs", () => {
  it("streams the reply to a 4,000-character Japanese message; no URL carries its text or the access token", async () => {
    const { user, companionId } = await connectedUser();
    const content = "今日はとても良い天気ですね。".repeat(300).slice(0, 4_000);
    expect(content.length).toBe(4_000);
    urls.length = 0;

    const events = await streamToEnd(user.api, { companionId, content, idempotencyKey: newKey() });
    const done = events.at(-1);
    expect(done?.type).toBe("done");
    if (done?.type !== "done") return;
    expect(done.userMessage.content).toBe(content);
    expect(done.reply.content.length).toBeGreaterThan(0);

    const streamUrls = urls.filter((u) => u.startsWith("/trpc/messages.stream"));
    expect(streamUrls).toHaveLength(1);
    for (const url of urls) {
      const decoded = decodeURIComponent(url);
      expect(decoded).not.toContain(content.slice(0, 10));
      expect(decoded).not.toContain(user.accessToken);
    }
    expect(streamUrls[0]?.length).toBeLessThan(300);
  });

  it("an oversized URL (431) and an oversized body (413) reach the client as PAYLOAD_TOO_LARGE with the status", async () => {
    const { user, companionId } = await connectedUser();
    // A query puts its input in the URL: 20 KB is over Node's 16 KB header limit.
    const tooLongUrl = await user.api.companions.list.query({ cursor: "x".repeat(20_000) }).catch((e: unknown) => e);
    expect(isTRPCClientError(tooLongUrl)).toBe(true);
    if (!isTRPCClientError(tooLongUrl)) return;
    expect(tooLongUrl.data).toMatchObject({ code: "PAYLOAD_TOO_LARGE", httpStatus: 431 });

    const tooBig = await user.api.memories.create
      .mutate({ companionId, title: "big", content: "x".repeat(MAX_BODY_BYTES) })
      .catch((e: unknown) => e);
    expect(isTRPCClientError(tooBig)).toBe(true);
    if (!isTRPCClientError(tooBig)) return;
    expect(tooBig.data).toMatchObject({ code: "PAYLOAD_TOO_LARGE", httpStatus: 413 });
  });
});

describe("stream tickets, for clients that cannot send an Authorization header", () => {
  it("messages.start's ticket opens the stream once; a second use, a forged ticket or an access token in the URL is UNAUTHORIZED", async () => {
    const { user, companionId } = await connectedUser();
    const started = await user.api.messages.start.mutate({ companionId, content: "Hello by ticket", idempotencyKey: newKey() });
    const { ticket } = started.streamTicket;
    expect(Date.parse(started.streamTicket.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);

    const first = await streamWith(headerlessSubscriber({ ticket }), started.userMessage.id);
    expect(Array.isArray(first) && first.at(-1)?.type).toBe("done");

    expect(await streamWith(headerlessSubscriber({ ticket }), started.userMessage.id)).toEqual({ error: "UNAUTHORIZED" });
    expect(await streamWith(headerlessSubscriber({ ticket: `${ticket.slice(0, -4)}AAAA` }), started.userMessage.id)).toEqual({ error: "UNAUTHORIZED" });
    // The old way, the access token as a connection param, is refused: it would sit in logs and histories.
    expect(await streamWith(headerlessSubscriber({ token: user.accessToken }), started.userMessage.id)).toEqual({ error: "UNAUTHORIZED" });
  });

  it("auth.streamTicket gives a ticket for any subscription, bound to its user", async () => {
    const { user, companionId } = await connectedUser();
    const other = await signUp(t, "Other");
    const started = await user.api.messages.start.mutate({ companionId, content: "Whose reply is this?", idempotencyKey: newKey() });

    const mine = await user.api.auth.streamTicket.mutate();
    const events = await streamWith(headerlessSubscriber({ ticket: mine.ticket }), started.userMessage.id);
    expect(Array.isArray(events) && events.at(-1)).toMatchObject({ type: "done", userMessage: { id: started.userMessage.id } });

    // Another user's ticket does not open my message.
    const theirs = await other.api.auth.streamTicket.mutate();
    expect(await streamWith(headerlessSubscriber({ ticket: theirs.ticket }), started.userMessage.id)).toEqual({ error: "NOT_FOUND" });
  });
});
