import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirLockedError, lockDataDir } from "./lock.ts";
import { openDatabase } from "./client.ts";

// Runs once (unit project): it is about the embedded PGlite data dir, whatever the test backend.
const dirs: string[] = [];
const tempDataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "companion-lock-"));
  dirs.push(dir);
  return join(dir, "pglite");
};
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("embedded data directory lock", () => {
  it("refuses a second opener while the first holds it, however long the first blocks", async () => {
    const dataDir = await tempDataDir();
    const release = await lockDataDir(dataDir);
    // A busy owner (PGlite start-up blocks the event loop) must not look stale.
    const started = Date.now();
    while (Date.now() - started < 1500) {
      /* block the event loop */
    }
    await expect(lockDataDir(dataDir)).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(lockDataDir(dataDir)).rejects.toThrow(new RegExp(`already in use by another process \\(pid ${process.pid}`));
    await release();
    const again = await lockDataDir(dataDir);
    await again();
  });

  it("takes over a lock left by a process that no longer exists", async () => {
    const dataDir = await tempDataDir();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const deadPid = Number(dead.stdout.toString());
    writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: deadPid, host: hostname(), since: "earlier" }));
    const release = await lockDataDir(dataDir);
    await expect(lockDataDir(dataDir)).rejects.toBeInstanceOf(DataDirLockedError);
    await release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it("never opens PGlite when the lock is held, and releases it on close", async () => {
    const dataDir = await tempDataDir();
    const first = await openDatabase({ kind: "pglite", dataDir });
    try {
      await expect(openDatabase({ kind: "pglite", dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
    } finally {
      await first.close();
    }
    const third = await openDatabase({ kind: "pglite", dataDir });
    await third.close();
  }, 120_000);
});
