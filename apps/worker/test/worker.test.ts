import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { companions, EVENT_RETENTION_MS, events, insertUser, stories, type Database } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobs } from "../src/jobs.ts";

let handle: TestDatabase;
let companionId: string;
beforeAll(async () => {
  handle = await createTestDatabase();
  const [row] = await handle.db.insert(companions).values({ slug: "worker-test", name: "Worker" }).returning({ id: companions.id });
  if (!row) throw new Error("no companion");
  companionId = row.id;
});
afterAll(async () => {
  await handle.close();
});

async function insertExpiredStory(db: Database): Promise<string> {
  const now = Date.now();
  const [row] = await db
    .insert(stories)
    .values({ authorCompanionId: companionId, createdAt: new Date(now - 25 * 3600_000), expiresAt: new Date(now - 1000) })
    .returning({ id: stories.id });
  if (!row) throw new Error("no story");
  return row.id;
}

const deletedAtOf = async (id: string) => (await handle.db.select({ id: stories.id, deletedAt: stories.deletedAt }).from(stories)).find((r) => r.id === id)?.deletedAt;

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: pino({ level: "debug" }, stream) };
}

const jobSettings = { storyExpiryIntervalMs: 60_000, storyDeleteGraceMs: 3_600_000, eventPruneIntervalMs: 60_000, eventRetentionMs: EVENT_RETENTION_MS };

describe("startJobs", () => {
  it("runs the expiry job at once and then on its interval, until stopped", async () => {
    const first = await insertExpiredStory(handle.db);
    const { lines, log } = logLines();
    const jobs = startJobs(handle.db, log, { ...jobSettings, storyExpiryIntervalMs: 1000 });
    try {
      expect(await until(async () => (await deletedAtOf(first)) instanceof Date)).toBe(true);
      const second = await insertExpiredStory(handle.db);
      expect(await until(async () => (await deletedAtOf(second)) instanceof Date)).toBe(true);
      expect(lines.some((l) => l.job === "stories:expire" && l.softDeleted === 1)).toBe(true);
    } finally {
      await jobs.stop();
    }
    // Stopped: no more runs.
    const third = await insertExpiredStory(handle.db);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await deletedAtOf(third)).toBeNull();
  });

  it("deletes realtime events past their retention on its first run", async () => {
    const { id: userId } = await insertUser(handle.db, { email: "worker-events@example.com", passwordHash: "x", displayName: "W" });
    const payload = { storyId: userId, viewerId: userId };
    const [, recent] = await handle.db
      .insert(events)
      .values([
        { userId, type: "story.viewed", payload, createdAt: new Date(Date.now() - EVENT_RETENTION_MS - 60_000) },
        { userId, type: "story.viewed", payload, createdAt: new Date() },
      ])
      .returning({ id: events.id });
    const { lines, log } = logLines();
    const jobs = startJobs(handle.db, log, jobSettings);
    try {
      expect(await until(async () => lines.some((l) => l.job === "events:prune"))).toBe(true);
    } finally {
      await jobs.stop();
    }
    expect(lines.find((l) => l.job === "events:prune")).toMatchObject({ eventsPruned: 1 });
    expect((await handle.db.select({ id: events.id }).from(events)).map((e) => e.id)).toEqual([recent?.id]);
  });
});

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

function startWorker(env: Record<string, string>) {
  const child = spawn(tsx, [main], { env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe("the worker process", () => {
  it("refuses to start without DATABASE_URL (the embedded server runs the jobs itself)", async () => {
    const worker = startWorker({});
    expect(await worker.exited).toBe(78);
    expect(worker.output()).toContain("DATABASE_URL is required");
  });
});
