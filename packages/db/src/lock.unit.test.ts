import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./client.ts";
import { DataDirLockedError } from "./lock.ts";

// Runs once (unit project): it is about the embedded PGlite data dir, whatever the test backend.
describe("embedded data directory lock", () => {
  it("refuses a second opener of the same data dir with a clear error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "companion-lock-"));
    const dataDir = join(dir, "pglite");
    const first = await openDatabase({ kind: "pglite", dataDir });
    try {
      const second = openDatabase({ kind: "pglite", dataDir });
      await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
      await expect(second).rejects.toThrow(/already in use by another process/);
    } finally {
      await first.close();
    }
    // Released on close: a new opener succeeds.
    const third = await openDatabase({ kind: "pglite", dataDir });
    await third.close();
    await rm(dir, { recursive: true, force: true });
  }, 120_000);
});
