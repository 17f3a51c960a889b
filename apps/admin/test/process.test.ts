/**
 * `pnpm admin` as an operator runs it, on this run's database: standard output carries only
 * the command's JSON (no pnpm banner, no database or migration messages), a password piped in
 * with --password-stdin passes through pnpm, and the prompt on a terminal does not echo.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { verifyPassword } from "@companion/auth";
import { openDatabase, users, type DatabaseHandle } from "@companion/db";
import { eq } from "drizzle-orm";
import { createTestDatabase, testBackend } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const bin = fileURLToPath(new URL("../bin/admin.js", import.meta.url));

let env: Record<string, string>;
let withDb: <T>(fn: (db: DatabaseHandle) => Promise<T>) => Promise<T>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  if (testBackend() === "pglite") {
    // A data dir on disk, copied from the run's migrated template, for the child processes to open.
    const root = await mkdtemp(join(tmpdir(), "admin-process-"));
    const dataDir = join(root, "pglite");
    const open = () => openDatabase({ kind: "pglite", dataDir });
    const seeded = await openDatabase({ kind: "pglite", dataDir, loadDataDir: new Blob([await readFile(inject("pgliteTemplatePath"))]) });
    await seeded.close();
    env = { DATA_DIR: root };
    withDb = async (fn) => {
      const db = await open();
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    };
    cleanup = () => rm(root, { recursive: true, force: true });
  } else {
    const db = await createTestDatabase();
    env = { ...db.env };
    withDb = (fn) => fn(db);
    cleanup = () => db.close();
  }
}, 120_000);
afterAll(async () => {
  await cleanup();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` in the repository root with only PATH, HOME and the database settings. */
function run(command: string, args: string[], options: { stdin?: string; onOutput?: (all: string, write: (s: string) => void) => void } = {}): Promise<Run> {
  const child = spawn(command, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    options.onOutput?.(stdout, (s) => child.stdin.write(s));
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const passwordOf = (email: string) =>
  withDb(async (db) => (await db.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.email, email)))[0]?.passwordHash ?? "");

describe("pnpm admin as a process", () => {
  it("prints nothing but the JSON on stdout, and takes a password piped in through pnpm", async () => {
    const created = await run("pnpm", ["admin", "user:create", "--email", "piped@example.com", "--password-stdin", "--json"], { stdin: "piped-password-1\n" });
    expect(created.code, created.stderr).toBe(0);
    const user = JSON.parse(created.stdout) as { email: string };
    expect(created.stdout).toBe(`${JSON.stringify(user)}\n`);
    expect(user.email).toBe("piped@example.com");

    const listed = await run("pnpm", ["admin", "user:list", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const emails = (JSON.parse(listed.stdout) as { email: string }[]).map((u) => u.email);
    expect(emails).toContain("piped@example.com");
    expect((await verifyPassword(await passwordOf("piped@example.com"), "piped-password-1")).ok).toBe(true);
  }, 180_000);

  it("prompts twice on a terminal without echoing the password", async () => {
    const secret = "typed-at-the-prompt";
    let step = 0;
    // script(1) gives the CLI a pseudo-terminal; its prompt (stderr) and output (stdout) arrive merged.
    const shell = [process.execPath, bin, "user:create", "--email", "tty@example.com", "--json"].map((a) => `'${a}'`).join(" ");
    const res = await run("script", ["-qefc", shell, "/dev/null"], {
      onOutput: (all, write) => {
        if (step === 0 && all.includes("Password:")) {
          step = 1;
          write(`${secret}\r`);
        } else if (step === 1 && all.includes("Repeat password:")) {
          step = 2;
          write(`${secret}\r`);
        }
      },
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(step).toBe(2);
    expect(res.stdout).not.toContain(secret);
    const json = /\{.*\}/.exec(res.stdout)?.[0] ?? "";
    expect(JSON.parse(json)).toMatchObject({ email: "tty@example.com", role: "user" });
    expect((await verifyPassword(await passwordOf("tty@example.com"), secret)).ok).toBe(true);
  }, 120_000);
});
