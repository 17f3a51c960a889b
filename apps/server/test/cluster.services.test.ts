/**
 * WEB_CONCURRENCY=2: the server binary as a cluster primary with two workers on one port,
 * on a fresh database of the real Postgres. The primary migrates, seeds and generates the
 * development JWT key once; both workers serve; a token issued by one is accepted by the
 * other; SIGTERM stops everything with exit code 0.
 *
 * Needs TEST_DATABASE_URL (CI sets it): the embedded database allows one process, so a
 * cluster runs on Postgres only. It fails, loudly, without it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@companion/client";
import { companions, demoCompanions, openDatabase, type DatabaseHandle } from "@companion/db";
import { openTestPostgres, postgresEnvFor } from "@companion/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "./harness.ts";

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) throw new Error("cluster.services.test.ts needs TEST_DATABASE_URL (a real Postgres): a cluster cannot share the embedded database");

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const dbName = `companion_cluster_${randomBytes(5).toString("hex")}`;
const dbEnv = postgresEnvFor(dbName, adminUrl);

let admin: DatabaseHandle;
let dataDir: string;
let primary: ChildProcess;
let output = "";
let serverUrl: string;

const listening = () => [...output.matchAll(/"pid":(\d+)[^\n]*"msg":"listening"/g)].map((m) => Number(m[1]));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A GET on a connection of its own, so that the cluster's round-robin hands it to the next worker. */
function getOnNewConnection(path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(`${serverUrl}${path}`, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
}

beforeAll(async () => {
  admin = await openDatabase({ kind: "postgres", url: adminUrl, poolSize: 1 });
  await admin.db.execute(sql.raw(`create database "${dbName}"`));
  dataDir = await mkdtemp(join(tmpdir(), "companion-cluster-"));
  // No JWT_SECRET: the development key the primary generates must be the one both workers use.
  primary = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, NODE_ENV: "development", ...dbEnv, DATA_DIR: dataDir, SEED_DEMO: "true", WEB_CONCURRENCY: "2", PORT: "0", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  primary.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  primary.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  while (listening().length < 2) {
    if (primary.exitCode !== null) throw new Error(`cluster exited (${primary.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`two workers did not listen within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = /"url":"(http:[^"]+)"/.exec(output);
  if (!m?.[1]) throw new Error(`no url in the output:\n${output}`);
  serverUrl = m[1];
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

describe("WEB_CONCURRENCY=2 (node:cluster on Postgres)", () => {
  it("forks two workers on one port, prepared once by the primary", async () => {
    const workers = listening();
    expect(new Set(workers).size).toBe(2);
    expect(workers).not.toContain(primary.pid);
    for (const pid of workers) expect(alive(pid)).toBe(true);
    // All listen on the port of the first (listen(0) in a cluster is one shared port).
    expect(new Set([...output.matchAll(/"url":"(http:[^"]+)"/g)].map((x) => x[1]))).toEqual(new Set([serverUrl]));
    // Migrated and seeded once, by the primary, not raced by the workers.
    expect(output.match(/"msg":"seeded demo content"/g)).toHaveLength(1);
    const db = await openTestPostgres(dbName, { poolSize: 1, adminUrl });
    try {
      const [row] = await db.db.select({ n: sql<number>`count(*)::int` }).from(companions);
      expect(row?.n).toBe(demoCompanions.length);
    } finally {
      await db.close();
    }
    expect((await readFile(join(dataDir, "dev-jwt-secret"), "utf8")).trim()).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it("accepts a token issued by one worker in every worker", async () => {
    let token: string | undefined;
    const api = createClient({ url: serverUrl, getAccessToken: () => token, onTokens: (t) => void (token = t?.accessToken) });
    await api.auth.register.mutate({ email: uniqueEmail("cluster"), password: "correct horse battery", displayName: "Cluster" });
    if (!token) throw new Error("no access token");
    // Connections are handed to the workers in turn: six new ones reach both.
    const statuses = await Promise.all(Array.from({ length: 6 }, () => getOnNewConnection("/trpc/auth.me", token ?? "")));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it("stops every worker gracefully on SIGTERM and exits 0", async () => {
    const workers = listening();
    const exited = new Promise<number | null>((r) => primary.once("exit", (code) => r(code)));
    primary.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of workers) expect(alive(pid)).toBe(false);
    expect(output).toContain('"msg":"all workers stopped"');
  }, 30_000);
});
