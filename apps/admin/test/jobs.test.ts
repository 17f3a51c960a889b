import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { DEFAULT_JOB_SETTINGS, openJobQueue, PermanentJobError, type JobQueue } from "@companion/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOn } from "./helpers.ts";

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

let db: TestDatabase;
let cli: ReturnType<typeof cliOn>;
let queue: JobQueue;
let failedId: string;
let doneId: string;
let runs = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  cli = cliOn(db);
  queue = await openJobQueue({ connection: db.connection, settings: { ...DEFAULT_JOB_SETTINGS, pollSeconds: 0.5 }, log: quiet, role: "worker" });
  failedId = (await queue.send("media.purge", { keys: ["bad"] }))!;
  doneId = (await queue.send("media.purge", { keys: ["good"] }))!;
  // "bad" fails for good on its first run (a permanent error), until an operator fixed it.
  await queue.work({
    "media.purge": async ({ keys }) => {
      runs++;
      if (keys[0] === "bad" && runs < 3) throw new PermanentJobError("the object store refused the key");
      return { purged: 1 };
    },
  });
  await queue.idle({ names: ["media.purge"] });
});

afterAll(async () => {
  await queue?.stop({ graceMs: 1000 });
  await db?.close();
});

describe("jobs:list", () => {
  it("lists failed jobs with their error and attempts, as text and as JSON", async () => {
    const text = await cli("jobs:list", "--state", "failed");
    expect(text.code).toBe(0);
    expect(text.out).toContain(failedId);
    expect(text.out).toContain("the object store refused the key");
    expect(text.out).not.toContain(doneId);

    const json = await cli("jobs:list", "--state", "failed", "--json");
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ id: failedId, queue: "media.purge", state: "failed", attempts: 1, maxAttempts: 5 })]);
  });

  it("--state dead lists the dead-letter queue, pointing at the failed job", async () => {
    const { out } = await cli("jobs:list", "--state", "dead", "--json");
    expect(JSON.parse(out)).toEqual([expect.objectContaining({ queue: "dead-letter", source: { queue: "media.purge", id: failedId } })]);
  });

  it("refuses an unknown state before opening the database", async () => {
    const before = cli.opened();
    const r = await cli("jobs:list", "--state", "broken");
    expect(r.code).toBe(64);
    expect(cli.opened()).toBe(before);
  });
});

describe("jobs:retry", () => {
  it("refuses a job that did not fail, and an unknown id", async () => {
    expect((await cli("jobs:retry", doneId)).code).toBe(1);
    expect((await cli("jobs:retry", "00000000-0000-4000-8000-000000000000")).code).toBe(1);
  });

  it("runs a failed job again, and drops its dead letter", async () => {
    const r = await cli("jobs:retry", failedId, "--json");
    expect(r.code, r.err).toBe(0);
    await queue.idle({ names: ["media.purge"] });
    const [job] = await queue.boss.findJobs("media.purge", { id: failedId });
    expect(job?.state).toBe("completed");
    expect(JSON.parse((await cli("jobs:list", "--state", "dead", "--json")).out)).toEqual([]);
  });
});

describe("jobs:purge", () => {
  it("needs --older-than, and deletes finished jobs older than it", async () => {
    expect((await cli("jobs:purge")).code).toBe(64);
    expect(JSON.parse((await cli("jobs:purge", "--older-than", "1d", "--json")).out)).toMatchObject({ deleted: 0 });
    const purged = JSON.parse((await cli("jobs:purge", "--older-than", "0m", "--json")).out) as { deleted: number };
    expect(purged.deleted).toBeGreaterThanOrEqual(2);
    expect(await queue.boss.findJobs("media.purge", { id: doneId })).toEqual([]);
  });
});

describe("digests:run", () => {
  it("enqueues the digests sweep for the week given, and refuses a malformed week", async () => {
    const r = await cli("digests:run", "--week", "2026-W49", "--json");
    expect(r.code, r.err).toBe(0);
    const { jobId } = JSON.parse(r.out) as { jobId: string };
    const [job] = await queue.boss.findJobs("digests.sweep", { id: jobId });
    expect(job?.data).toEqual({ week: "2026-W49" });
    expect((await cli("digests:run", "--week", "2026-49")).code).toBe(64);
  });
});
