/**
 * /metrics under WEB_CONCURRENCY=2: the server binary as a cluster primary with two workers
 * on a fresh database of the real Postgres. Whichever worker a scrape reaches, and on either
 * port, it sees the sum over both workers.
 *
 * Needs TEST_DATABASE_URL (CI sets it): a cluster runs on Postgres only. It fails, loudly,
 * without it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase, type DatabaseHandle } from "@companion/db";
import { databaseUrlWithName } from "@companion/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheusText, valueOf, type Sample } from "@companion/metrics/testing";

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) throw new Error("metrics-cluster.services.test.ts needs TEST_DATABASE_URL (a real Postgres): a cluster cannot share the embedded database");

const TOKEN = "cluster-metrics-token-0123456789";
const POOL_SIZE = 3;
const serverDir = fileURLToPath(new URL("..", import.meta.url));
const dbName = `companion_metrics_cluster_${randomBytes(5).toString("hex")}`;

let admin: DatabaseHandle;
let dataDir: string;
let primary: ChildProcess;
let output = "";
let serverUrl: string;
let metricsUrl: string;

const listening = () => [...output.matchAll(/"pid":(\d+)[^\n]*"msg":"listening"/g)].map((m) => Number(m[1]));

/** A port nobody listens on right now, for METRICS_PORT (two `listen(0)`s in a cluster worker would share one). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A GET on a connection of its own, so that the cluster's round-robin hands it to the next worker. */
function getOnNewConnection(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

async function scrapeOnNewConnection(url: string, token?: string): Promise<Sample[]> {
  const { status, body } = await getOnNewConnection(url, token);
  if (status !== 200) throw new Error(`scrape of ${url}: ${status} ${body}`);
  return parsePrometheusText(body);
}

beforeAll(async () => {
  admin = await openDatabase({ kind: "postgres", url: adminUrl, poolSize: 1 });
  await admin.db.execute(sql.raw(`create database "${dbName}"`));
  dataDir = await mkdtemp(join(tmpdir(), "companion-metrics-cluster-"));
  primary = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "development",
      DATABASE_URL: databaseUrlWithName(adminUrl, dbName),
      DB_POOL_SIZE: String(POOL_SIZE),
      DATA_DIR: dataDir,
      WEB_CONCURRENCY: "2",
      PORT: "0",
      METRICS_TOKEN: TOKEN,
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  primary.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  primary.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  while (listening().length < 2 || (output.match(/"msg":"metrics listening"/g) ?? []).length < 2) {
    if (primary.exitCode !== null) throw new Error(`cluster exited (${primary.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`two workers did not listen within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /"url":"(http:[^"]+)","database"/.exec(output)?.[1];
  const metrics = /"url":"(http:[^"]+\/metrics)"/.exec(output)?.[1];
  if (!url || !metrics) throw new Error(`no urls in the output:\n${output}`);
  [serverUrl, metricsUrl] = [url, metrics];
}, 90_000);

afterAll(async () => {
  if (primary && primary.exitCode === null) {
    const exited = new Promise((r) => primary.once("exit", r));
    primary.kill("SIGKILL");
    await exited;
  }
  await admin?.db.execute(sql.raw(`drop database if exists "${dbName}" with (force)`));
  await admin?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("metrics of a WEB_CONCURRENCY=2 cluster", () => {
  it("sums both workers in every scrape, on the main port (with the token) and on METRICS_PORT", async () => {
    expect((await getOnNewConnection(`${serverUrl}/metrics`)).status).toBe(401);
    const before = await scrapeOnNewConnection(`${serverUrl}/metrics`, TOKEN);
    // Each worker opened one pool of POOL_SIZE; the primary's own is closed before it forks.
    expect(valueOf(before, "db_pool_size", { kind: "postgres" })).toBe(2 * POOL_SIZE);

    // Six new connections: the round-robin hands them to both workers.
    const statuses = await Promise.all(Array.from({ length: 6 }, () => getOnNewConnection(`${serverUrl}/healthz`)));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);

    const healthz = { route: "/healthz", method: "GET", code: "200" };
    const scrapes = [
      await scrapeOnNewConnection(`${serverUrl}/metrics`, TOKEN),
      await scrapeOnNewConnection(`${serverUrl}/metrics`, TOKEN),
      await scrapeOnNewConnection(metricsUrl),
      await scrapeOnNewConnection(metricsUrl),
    ];
    for (const after of scrapes) {
      expect(valueOf(after, "http_requests_total", healthz) - valueOf(before, "http_requests_total", healthz)).toBe(6);
      expect(valueOf(after, "db_pool_size", { kind: "postgres" })).toBe(2 * POOL_SIZE);
    }
  });
});
