/**
 * A database outage through the real server. Postgres is reached through a TCP proxy that
 * the test cuts: first refused (connections refused and open ones dropped, as when Postgres
 * goes down), then black-holed (connections accepted and never answered, as when its host
 * is gone from the network). Either way every call answers 503 with Retry-After within the
 * connect timeout (1 s here), streams included; once the proxy is back the same calls
 * succeed again, without a restart.
 */
import { createServer, type Server, type Socket } from "node:net";
import { openDatabase } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { startTcpProxy, type TcpProxy } from "@companion/ratelimit/testing";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

const CONNECT_TIMEOUT_MS = 1_000;
let database: TestDatabase;
let proxy: TcpProxy;
let t: TestServer;
let mediaDir: string;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  if (!database.url) throw new Error("this test needs the Postgres backend (the services project)");
  proxy = await startTcpProxy(database.url);
  mediaDir = await mkdtemp(join(tmpdir(), "companion-outage-"));
  const pooled = database.env.DB_POOLER === "transaction" ? { pooler: "transaction" as const, directUrl: database.env.DATABASE_DIRECT_URL ?? "" } : {};
  const proxied = await openDatabase({ kind: "postgres", url: proxy.url, poolSize: 4, connectTimeoutMs: CONNECT_TIMEOUT_MS, ...pooled });
  t = await startTestServer({ MEDIA_DIR: mediaDir }, { database: { ...proxied, url: proxy.url, env: { ...database.env, DATABASE_URL: proxy.url } } });
  const res = await call("auth.register", { email: uniqueEmail("outage"), password: "password-1234", displayName: "Outage" });
  token = ((await res.json()) as { result: { data: { tokens: { accessToken: string } } } }).result.data.tokens.accessToken;
});
afterAll(async () => {
  await t.stop();
  await proxy.close();
  await database.close();
  await rm(mediaDir, { recursive: true, force: true });
});

function call(path: string, input: unknown, opts: { auth?: boolean; get?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...(opts.auth ? { authorization: `Bearer ${token}` } : {}) };
  if (opts.get) return fetch(`${t.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
  return fetch(`${t.url}/trpc/${path}`, { method: "POST", headers, body: JSON.stringify(input) });
}

/** The first error event of an SSE subscription, as tRPC sends it. */
async function streamError(path: string, input: unknown): Promise<{ code?: string; httpStatus?: number; retryAfterMs?: number | null }> {
  const res = await fetch(`${t.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    signal: AbortSignal.timeout(5_000),
  });
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no stream");
  let text = "";
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += new TextDecoder().decode(chunk.value);
    const event = /event: serialized-error\ndata: (.*)\n/.exec(text);
    if (event?.[1]) {
      await reader.cancel();
      return (JSON.parse(event[1]) as { data: { code?: string; httpStatus?: number; retryAfterMs?: number | null } }).data;
    }
  }
  throw new Error(`stream ended without an error: ${text}`);
}

let uploadUrl: URL;
const uploadHeaders: Record<string, string> = {};

/** The calls checked during an outage: reads, writes, the auth path, the upload route. */
const checks: Array<[string, () => Promise<Response>]> = [
  ["stories.feed", () => call("stories.feed", {}, { auth: true, get: true })],
  ["companions.list", () => call("companions.list", {}, { auth: true, get: true })],
  ["auth.me", () => call("auth.me", undefined, { auth: true, get: true })],
  ["auth.login", () => call("auth.login", { email: "nobody@example.com", password: "password-1234" })],
  ["auth.register", () => call("auth.register", { email: uniqueEmail("down"), password: "password-1234", displayName: "Down" })],
  ["media.createUpload", () => call("media.createUpload", { contentType: "image/png", byteSize: 4 }, { auth: true })],
  ["PUT /uploads", () => fetch(uploadUrl, { method: "PUT", headers: uploadHeaders, body: new Uint8Array([1, 2, 3, 4]) })],
];

async function expectUnavailable(limitMs: number): Promise<void> {
  for (const [name, check] of checks) {
    const started = performance.now();
    const res = await check();
    const ms = performance.now() - started;
    await res.body?.cancel();
    expect({ name, status: res.status }).toEqual({ name, status: 503 });
    expect(Number(res.headers.get("retry-after")), name).toBeGreaterThan(0);
    expect(ms, `${name} took ${Math.round(ms)} ms`).toBeLessThan(limitMs);
  }
  const error = await streamError("events.subscribe", {});
  expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
  expect(error.retryAfterMs).toBeGreaterThan(0);
  expect((await fetch(`${t.url}/readyz`)).status).toBe(503);
}

async function expectRecovered(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await call("stories.feed", {}, { auth: true, get: true })).status !== 200) {
    if (Date.now() > deadline) throw new Error("the server did not recover");
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await call("companions.list", {}, { auth: true, get: true })).status).toBe(200);
  expect((await call("auth.register", { email: uniqueEmail("back"), password: "password-1234", displayName: "Back" })).status).toBe(200);
}

/** Listens where the proxy did, accepting connections and never answering. */
async function blackHole(port: number): Promise<{ close(): Promise<void> }> {
  const held = new Set<Socket>();
  const server: Server = createServer((socket) => {
    held.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    close: async () => {
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("database outage", () => {
  it("answers 503 with Retry-After at once while Postgres refuses connections, and recovers", async () => {
    const created = (await (await call("media.createUpload", { contentType: "image/png", byteSize: 4 }, { auth: true })).json()) as {
      result: { data: { uploadUrl: string; headers: Record<string, string> } };
    };
    uploadUrl = new URL(created.result.data.uploadUrl, t.url);
    Object.assign(uploadHeaders, created.result.data.headers);
    expect((await call("stories.feed", {}, { auth: true, get: true })).status).toBe(200);

    await proxy.cut();
    // Argon2 hashing of auth.register alone takes a few hundred ms on a busy machine.
    await expectUnavailable(1_000);
    await proxy.restore();
    await expectRecovered();
  });

  it("answers 503 within the connect timeout while Postgres does not answer at all, and recovers", async () => {
    await proxy.cut();
    const hole = await blackHole(proxy.port);
    try {
      await expectUnavailable(CONNECT_TIMEOUT_MS + 1_000);
    } finally {
      await hole.close();
    }
    await proxy.restore();
    await expectRecovered();
  });
});
