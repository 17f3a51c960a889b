/**
 * The real CLI process (apps/admin/bin/admin.js, what `pnpm admin` runs) on command lines it
 * must refuse: it exits 64 before it opens, creates or locks the embedded data directory.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { lockDataDir } from "@companion/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/admin.js", import.meta.url));

function admin(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const usageError = (message: string) => `${JSON.stringify({ error: { code: "USAGE", message } })}\n`;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "admin-usage-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("admin CLI process: refused before the database", () => {
  it("exits 64 on a bad flag or a password argument without creating the data dir", async () => {
    const DATA_DIR = join(root, "never");
    const bad = await admin(["user:list", "--limit", "0", "--json"], { DATA_DIR });
    expect(bad).toEqual({ code: 64, stdout: "", stderr: usageError("--limit: must be a whole number from 1 to 1000") });

    const password = await admin(["user:create", "--email", "a@example.com", "--password", "hunter2-hunter2"], { DATA_DIR });
    expect(password.code).toBe(64);
    expect(password.stdout).toBe("");
    expect(password.stderr).toMatch(/^--password is not accepted: an argument is visible to other users in the process list/);
    expect(password.stderr).not.toContain("hunter2");
    expect(existsSync(DATA_DIR)).toBe(false);
  }, 120_000);

  it("exits 64, not 75, on a bad flag while a server holds the data dir; a good command meets the lock", async () => {
    const DATA_DIR = join(root, "held");
    const release = await lockDataDir(join(DATA_DIR, "pglite"));
    try {
      const bad = await admin(["sessions:revoke", "someone@example.com", "--session", "not-a-uuid", "--json"], { DATA_DIR });
      expect(bad).toEqual({ code: 64, stdout: "", stderr: usageError("--session: must be a session id (uuid)") });
      const good = await admin(["user:list", "--json"], { DATA_DIR });
      expect(good).toMatchObject({ code: 75, stdout: "" });
      expect(JSON.parse(good.stderr)).toEqual({ error: { code: "DATA_DIR_LOCKED", message: expect.stringContaining("already in use by another process") } });
    } finally {
      await release();
    }
    expect(await readdir(join(DATA_DIR, "pglite"))).toEqual([]);
  }, 120_000);

  it("exits 78 on a bad environment", async () => {
    const res = await admin(["user:list", "--json"], { DATABASE_URL: "not a url" });
    expect(res).toMatchObject({ code: 78, stdout: "" });
    expect(JSON.parse(res.stderr)).toEqual({ error: { code: "CONFIG", message: expect.stringContaining("DATABASE_URL") } });
  }, 120_000);
});
