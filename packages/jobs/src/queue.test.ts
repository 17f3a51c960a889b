import { withUser } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { users } from "@companion/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermanentJobError } from "./errors.ts";
import { DEAD_LETTER_QUEUE } from "./queues.ts";
import { openJobQueue, type JobQueue } from "./queue.ts";
import type { JobLogger } from "./runner.ts";
import { DEFAULT_JOB_SETTINGS, type JobSettings } from "./settings.ts";

const quiet: JobLogger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
// Short settings: 1 s base backoff, so five attempts take seconds, not minutes.
const settings: JobSettings = { ...DEFAULT_JOB_SETTINGS, retryBaseSeconds: 1, retryMaxSeconds: 60, timeoutSeconds: 2, pollSeconds: 0.5 };

let t: TestDatabase;
let queue: JobQueue;
const keys = (n: number) => ({ keys: [`k${n}`] });

beforeAll(async () => {
  t = await createTestDatabase();
  queue = await openJobQueue({ connection: t.connection, settings, log: quiet, role: "worker" });
});

afterAll(async () => {
  await queue?.stop({ graceMs: 1000 });
  await t?.close();
});

async function jobById(id: string) {
  const [job] = await queue.boss.findJobs("media.purge", { id });
  return job;
}

async function deadLettered(sourceId: string) {
  const { rows } = await queue.boss.getDb().executeSql(`select id from pgboss.job where name = $1 and source_id = $2`, [DEAD_LETTER_QUEUE, sourceId]);
  return rows.length;
}

describe("job queue", () => {
  it("enqueues inside the caller's transaction: a rollback leaves no job, a commit leaves one", async () => {
    const [user] = await t.db.insert(users).values({ email: `jobs-${Date.now()}@example.com`, passwordHash: "x", displayName: "J" }).returning({ id: users.id });
    const before = await queue.boss.findJobs("media.purge", { data: keys(1) });
    await expect(
      withUser(t.db, user!.id, async (tx) => {
        await queue.enqueue(tx, "media.purge", keys(1));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await queue.boss.findJobs("media.purge", { data: keys(1) })).toHaveLength(before.length);
    const id = await withUser(t.db, user!.id, (tx) => queue.enqueue(tx, "media.purge", keys(1)));
    expect(id).toBeTruthy();
    expect((await jobById(id!))?.state).toBe("created");
  });

  it("refuses a payload that does not match its queue's schema when it is sent", async () => {
    await expect(queue.send("media.purge", { keys: [] })).rejects.toThrow();
  });

  it("retries with growing delays: fails 4 times then completes on the 5th; always failing ends dead-lettered after 5", async () => {
    const runs = new Map<string, number[]>();
    const flaky = await queue.send("media.purge", keys(2));
    const broken = await queue.send("media.purge", keys(3));
    const permanent = await queue.send("media.purge", keys(4));
    await queue.work({
      "media.purge": async ({ keys: [key] }, { id }) => {
        runs.set(id, [...(runs.get(id) ?? []), Date.now()]);
        const n = runs.get(id)!.length;
        if (key === "k4") throw new PermanentJobError("nothing to retry");
        if (key === "k2" && n === 5) return { purged: 1 };
        if (key === "k2" || key === "k3") throw new Error(`attempt ${n} failed`);
        return { purged: 0 };
      },
    });
    await queue.idle({ names: ["media.purge"], timeoutMs: 55_000 });

    const flakyRuns = runs.get(flaky!)!;
    expect(flakyRuns).toHaveLength(5);
    expect((await jobById(flaky!))?.state).toBe("completed");

    const brokenRuns = runs.get(broken!)!;
    expect(brokenRuns).toHaveLength(5);
    expect((await jobById(broken!))?.state).toBe("failed");
    expect(await deadLettered(broken!)).toBe(1);
    // Exponential with jitter: base * 2^(n-1) * [0.5, 1] s, so each gap exceeds the one two before it.
    const gaps = brokenRuns.slice(1).map((at, i) => at - brokenRuns[i]!);
    expect(gaps[3]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[3]!).toBeGreaterThan(gaps[1]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);

    expect(runs.get(permanent!)).toHaveLength(1);
    expect((await jobById(permanent!))?.state).toBe("failed");
    expect(await deadLettered(permanent!)).toBe(1);
  }, 75_000);
});
