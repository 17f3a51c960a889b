/**
 * The real server process on its embedded default (PGlite under a data dir, no env but
 * DATA_DIR/PORT): it starts, seeds demo companions, serves /healthz; a second process on
 * the same data dir exits with a clear message instead of opening (and corrupting) it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcess[] = [];

function runServer(dataDir: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = async (timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = /"url":"(http:[^"]+)"/.exec(output);
      if (m?.[1]) return m[1];
      if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server did not listen within ${timeoutMs} ms:\n${output}`);
  };
  return { child, exited, listening, output: () => output };
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

describe("embedded default", () => {
  it("serves on PGlite, and a second server on the same data dir exits with a clear message", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "companion-e2e-"));
    const first = runServer(dataDir);
    const url = await first.listening(90_000);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(first.output()).toContain("seeded demo content");
    expect(first.output()).toContain("generated development JWT key");

    const second = runServer(dataDir);
    const code = await second.exited;
    expect(code).toBe(75);
    expect(second.output()).toMatch(/already in use by another process/);
    // The first server is unaffected.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("stopped");
    await rm(dataDir, { recursive: true, force: true });
  }, 120_000);
});
