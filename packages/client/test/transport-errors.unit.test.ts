/**
 * What an app sees when the answer is not the API's: small node:http servers stand in for a
 * proxy, a CDN or a dead port, and the real client calls them over HTTP. Every failure must
 * reach the app as a TRPCClientError whose `errorCode` it can switch on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, errorCode, isTRPCClientError, type ClientErrorCode } from "../src/index.ts";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An address nobody listens on: a server is started to get a free port, then closed. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

const answer = (status: number, type: string | null, body: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, type ? { "content-type": type } : {});
  res.end(body);
};

async function failure(promise: Promise<unknown>): Promise<{ code: ClientErrorCode | null; status: unknown; message: string }> {
  const err = await promise.then(
    () => expect.fail("the call succeeded"),
    (e: unknown) => e,
  );
  expect(isTRPCClientError(err), String(err)).toBe(true);
  const data = isTRPCClientError(err) ? (err.data as { httpStatus?: number } | undefined) : undefined;
  return { code: errorCode(err), status: data?.httpStatus, message: (err as Error).message };
}

describe("transport errors carry a code", () => {
  it("NETWORK_ERROR when nothing listens, for a lone call and for a batch", async () => {
    const api = createClient({ url: await closedPort() });
    expect(await failure(api.auth.me.query())).toMatchObject({ code: "NETWORK_ERROR", status: 0 });
    // The second call of a burst goes through the batch link: same code.
    const [a, b] = await Promise.allSettled([api.auth.me.query(), api.stories.feed.query({})]);
    for (const r of [a, b]) {
      expect(r.status).toBe("rejected");
      expect(errorCode((r as PromiseRejectedResult).reason)).toBe("NETWORK_ERROR");
    }
  });

  it("a bare 403 (a proxy's or a CORS gateway's refusal, no tRPC body) is FORBIDDEN", async () => {
    const api = createClient({ url: await serve(answer(403, "text/plain", "Forbidden")) });
    expect(await failure(api.auth.me.query())).toMatchObject({ code: "FORBIDDEN", status: 403 });
    const empty = createClient({ url: await serve(answer(403, null, "")) });
    expect(await failure(empty.auth.logoutAll.mutate())).toMatchObject({ code: "FORBIDDEN", status: 403 });
  });

  it("an HTML 502 from a proxy is BAD_GATEWAY, a non-tRPC JSON 503 is SERVICE_UNAVAILABLE", async () => {
    const html = createClient({ url: await serve(answer(502, "text/html", "<html><body>Bad Gateway</body></html>")) });
    const [lone, batched] = await Promise.allSettled([html.auth.me.query(), html.stories.feed.query({})]);
    expect(errorCode((lone as PromiseRejectedResult).reason)).toBe("BAD_GATEWAY");
    expect(errorCode((batched as PromiseRejectedResult).reason)).toBe("BAD_GATEWAY");
    const json = createClient({ url: await serve(answer(503, "application/json", JSON.stringify({ message: "upstream down" }))) });
    expect(await failure(json.auth.me.query())).toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 503 });
  });

  it("a 200 that is not JSON (a captive portal's page) is BAD_GATEWAY, not a parse error", async () => {
    const api = createClient({ url: await serve(answer(200, "text/html", "<html>Sign in to the Wi-Fi</html>")) });
    expect(await failure(api.auth.me.query())).toMatchObject({ code: "BAD_GATEWAY", status: 200 });
  });

  it("413 and 431 without a body are PAYLOAD_TOO_LARGE", async () => {
    for (const status of [413, 431]) {
      const api = createClient({ url: await serve(answer(status, null, "")) });
      expect(await failure(api.auth.me.query())).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status });
    }
  });

  it("the server's own tRPC errors pass through untouched, message and reason included", async () => {
    const body = { error: { message: "No such story", code: -32004, data: { code: "NOT_FOUND", httpStatus: 404, reason: "NOT_FOUND", zodError: null, retryAfterMs: null } } };
    const api = createClient({ url: await serve(answer(404, "application/json", JSON.stringify(body))) });
    expect(await failure(api.stories.byId.query({ storyId: "x" }))).toMatchObject({ code: "NOT_FOUND", status: 404, message: "No such story" });
  });

  it("a call the app aborts stays an abort, not a NETWORK_ERROR", async () => {
    const api = createClient({ url: await serve(() => undefined) }); // never answers
    const controller = new AbortController();
    const call = api.auth.me.query(undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await call.catch((e: unknown) => e);
    expect(errorCode(err)).not.toBe("NETWORK_ERROR");
    expect(String((err as Error).message)).toMatch(/abort/i);
  });
});
