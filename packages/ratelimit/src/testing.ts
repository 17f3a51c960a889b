/**
 * Test helpers (`@companion/ratelimit/testing`): the test Redis, and a TCP proxy in front of
 * it that a test can cut and restore to lose Redis mid-test.
 */
import { randomBytes } from "node:crypto";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { Redis } from "ioredis";

/** TEST_REDIS_URL (exported by .ci/run), else the local default. */
export function testRedisUrl(): string {
  // The one env read of this package: tests have no env.ts of their own.
  return process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
}

/** A key prefix no other test run shares, so parallel runs on one Redis never collide. */
export const uniqueKeyPrefix = (label = "test") => `companion-test:${label}:${randomBytes(6).toString("hex")}`;

/** Fails loudly (never skips) when the test Redis does not answer. */
export async function assertRedisReachable(url = testRedisUrl()): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${url}: start it (bash .ci/run does) or set TEST_REDIS_URL`, { cause: err });
  } finally {
    client.disconnect(false);
  }
}

export interface TcpProxy {
  /** A Redis URL that goes through the proxy. */
  url: string;
  port: number;
  /** Stops listening and cuts every open connection, like Redis going away. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy to `targetUrl` on a free local port. */
export async function startTcpProxy(targetUrl = testRedisUrl()): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  const proxied = new URL(targetUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    port,
    cut: stop,
    restore: async () => {
      await listen(port);
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}

/** A local port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitUntil(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
