/**
 * The worker as a real second process against a real Postgres (a PGlite data dir can only
 * be opened by one process, so the embedded default runs the jobs inside the server).
 * Needs TEST_DATABASE_URL — CI sets it; without it this test fails, it never skips.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { companions, stories, type DatabaseHandle } from "@companion/db";
import { openTestPostgres, postgresEnvFor } from "@companion/db/testing";
import { DEFAULT_JOB_SETTINGS, openJobQueue } from "@companion/jobs";
import { scrape, valueOf } from "@companion/metrics/testing";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const adminUrl = process.env.TEST_DATABASE_URL;
const dbName = `companion_worker_e2e_${randomBytes(4).toString("hex")}`;
let handle: DatabaseHandle;
let dbEnv: Record<string, string>;

beforeAll(async () => {
  if (!adminUrl) throw new Error("TEST_DATABASE_URL is required for the worker process test (CI sets it)");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  await admin.end();
  dbEnv = postgresEnvFor(dbName, adminUrl);
  handle = await openTestPostgres(dbName, { poolSize: 2, adminUrl });
  await handle.migrate();
}, 60_000);

afterAll(async () => {
  await handle?.close();
  if (!adminUrl) return;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
});

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

describe("the worker process", () => {
  it("runs the jobs sent to the queue on DATABASE_URL, reports them on WORKER_METRICS_PORT, and stops gracefully on SIGTERM", async () => {
    const [companion] = await handle.db.insert(companions).values({ slug: "worker-e2e", name: "Worker" }).returning({ id: companions.id });
    const now = Date.now();
    const [story] = await handle.db
      .insert(stories)
      .values({ authorCompanionId: companion!.id, createdAt: new Date(now - 25 * 3600_000), expiresAt: new Date(now - 1000) })
      .returning({ id: stories.id });
    const child = spawn(tsx, [main], {
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...dbEnv, WORKER_METRICS_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // What the cron schedule does every minute, sent now by another process (as the server would).
    const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
    const producer = await openJobQueue({ connection: handle.connection, settings: DEFAULT_JOB_SETTINGS, log: quiet, role: "producer" });
    await producer.send("stories.expire", {});
    await producer.stop();
    try {
      const deadline = Date.now() + 30_000;
      let deletedAt: Date | null = null;
      while (!deletedAt && Date.now() < deadline) {
        const [row] = await handle.db.select({ deletedAt: stories.deletedAt }).from(stories).where(eq(stories.id, story!.id));
        deletedAt = row?.deletedAt ?? null;
        if (!deletedAt) await new Promise((r) => setTimeout(r, 200));
      }
      expect(deletedAt, output).toBeInstanceOf(Date);

      // The listener starts after the jobs do, so its line may come after the expiry.
      const metricsLine = () => /"url":"(http:[^"]+\/metrics)"/.exec(output)?.[1];
      while (!metricsLine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const metricsUrl = metricsLine();
      if (!metricsUrl) throw new Error(`no metrics url in the output:\n${output}`);
      // A fresh process: its counters started at zero, and one story expired.
      const samples = await scrape(metricsUrl);
      expect(valueOf(samples, "stories_expired_total")).toBe(1);
      expect(valueOf(samples, "jobs_runs_total", { task: "stories.expire", outcome: "ok" })).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, "jobs_runs_total", { outcome: "dead" })).toBe(0);
      expect(valueOf(samples, "db_pool_size", { kind: "postgres" })).toBe(10);
      expect(valueOf(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect((await fetch(new URL("/other", metricsUrl))).status).toBe(404);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toContain('"msg":"stopped"');
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});
