/**
 * The ways people start the apps, run for real:
 *  - every variable an env.ts reads reaches the process on every start path (`pnpm start`,
 *    `pnpm dev`, the worker's start, `pnpm admin`): a probe preloaded with NODE_OPTIONS
 *    records the environment the app's entry receives, then exits before it opens anything;
 *  - `pnpm start` (build, then the built JavaScript with plain node) serves the embedded
 *    default through packages/client, and SIGTERM to the pnpm process drains the server and
 *    exits within SHUTDOWN_GRACE_MS;
 *  - the built server reads a dotenv file (ENV_FILE, else `.env` at the repository root),
 *    where the real environment wins, and exits cleanly on SIGTERM sent to node itself (the
 *    Docker CMD).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@companion/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminEnvNames } from "../../admin/src/env.ts";
import { workerEnvNames } from "../../worker/src/env.ts";
import { serverEnvNames } from "../src/env.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const pnpm = "pnpm";
const children: ChildProcess[] = [];
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "companion-start-"));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await rm(tmp, { recursive: true, force: true });
});

/** The environment a fresh shell would have: no leftovers of the test runner's. */
const baseEnv = () => ({ PATH: `${join(process.execPath, "..")}:${process.env.PATH ?? ""}`, HOME: process.env.HOME ?? tmp });

function run(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const waitFor = async (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(output);
      if (m) return m;
      if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

describe("every variable an env.ts reads reaches the app", () => {
  const probe = () => join(tmp, "probe.mjs");
  beforeAll(async () => {
    // Only an app's entry is probed; pnpm, turbo, tsx's own process and the build pass by.
    await writeFile(
      probe(),
      `import { writeFileSync } from "node:fs";
if (/(apps[\\\\/](server|worker|admin)[\\\\/](dist|src)[\\\\/]main|admin[\\\\/]bin[\\\\/]admin)\\.(js|ts)$/.test(process.argv[1] ?? "")) {
  writeFileSync(process.env.PROBE_OUT, JSON.stringify(process.env));
  process.exit(0);
}
`,
    );
  });

  const startPaths: Array<{ name: string; args: string[]; names: readonly string[] }> = [
    { name: "pnpm start", args: ["start"], names: serverEnvNames },
    { name: "pnpm dev", args: ["dev"], names: serverEnvNames },
    { name: "the worker's start", args: ["--filter", "@companion/worker", "start"], names: workerEnvNames },
    { name: "pnpm admin", args: ["admin", "user:list"], names: adminEnvNames },
  ];

  it.each(startPaths)("$name", async ({ name, args, names }) => {
    const out = join(tmp, `${name.replace(/\W+/g, "-")}.json`);
    // A distinct value per variable, so a variable that arrived with another's value fails too.
    const given = Object.fromEntries(names.map((n) => [n, n === "NODE_ENV" ? "production" : `probe-${n.toLowerCase()}`]));
    const proc = run(pnpm, args, { ...baseEnv(), ...given, NODE_OPTIONS: `--import=${probe()}`, PROBE_OUT: out });
    const deadline = Date.now() + 60_000;
    while (!existsSync(out) && proc.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    proc.child.kill("SIGTERM"); // `pnpm dev` watches on after its app exits
    await proc.exited;
    expect(existsSync(out), `${name} never reached the app's entry:\n${proc.output()}`).toBe(true);
    const received = JSON.parse(await readFile(out, "utf8")) as Record<string, string>;
    const lost = names.filter((n) => received[n] !== given[n]);
    expect(lost, `${name} did not pass these variables on`).toEqual([]);
    expect(names.length).toBeGreaterThan(5);
  }, 120_000);
});

describe("pnpm start", () => {
  it("builds, serves the embedded default, and SIGTERM to pnpm drains and exits within SHUTDOWN_GRACE_MS", async () => {
    const graceMs = 4000;
    const dataDir = join(tmp, "start-data");
    const proc = run(pnpm, ["start"], { ...baseEnv(), DATA_DIR: dataDir, PORT: "0", SHUTDOWN_GRACE_MS: String(graceMs) });
    const [, url] = await proc.waitFor(/"url":"(http:[^"]+)"/, 120_000);
    expect(proc.output()).toContain("exec node apps/server/dist/main.js");

    let tokens: { accessToken: string; refreshToken: string } | null = null;
    const api = createClient({ url: url ?? "", getAccessToken: () => tokens?.accessToken, onTokens: (t) => void (tokens = t) });
    await api.auth.register.mutate({ email: "start@example.com", password: "a long password", displayName: "Start" });
    const page = await api.companions.list.query({});
    expect(page.items.map((c) => c.name)).toContain("Luna");
    expect((await fetch(`${url}/media/avatars/luna.svg`)).status).toBe(200);

    const sentAt = Date.now();
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(graceMs);
    expect(proc.output()).toMatch(/"signal":"SIGTERM".*"msg":"shutting down"/);
    expect(proc.output()).toContain('"msg":"stopped"');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 180_000);
});

describe("the built server (node apps/server/dist/main.js, as in the Docker image)", () => {
  beforeAll(async () => {
    const build = run(pnpm, ["exec", "turbo", "run", "build", "--filter=@companion/server", "--output-logs=errors-only"], baseEnv());
    expect(await build.exited, build.output()).toBe(0);
  }, 120_000);

  it("reads ENV_FILE, where the real environment wins, and exits 0 on SIGTERM", async () => {
    const envFile = join(tmp, "test.env");
    await writeFile(envFile, ["# a dotenv file", "SEED_DEMO=false", "LOG_LEVEL=warn", `DATA_DIR=${join(tmp, "dist-data")}`].join("\n"));
    const proc = run(process.execPath, ["apps/server/dist/main.js"], { ...baseEnv(), ENV_FILE: envFile, LOG_LEVEL: "info", PORT: "0" });
    const [, url] = await proc.waitFor(/"url":"(http:[^"]+)"/, 120_000);
    // LOG_LEVEL=info from the environment beat the file's warn (else no "listening" line);
    // SEED_DEMO=false and DATA_DIR came from the file.
    expect(proc.output()).not.toContain("seeded demo content");
    expect(proc.output()).toContain(`"dataDir":"${join(tmp, "dist-data")}"`);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
  }, 180_000);

  it("refuses to start when ENV_FILE names a file that is not there", async () => {
    const proc = run(process.execPath, ["apps/server/dist/main.js"], { ...baseEnv(), ENV_FILE: join(tmp, "missing.env") });
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toMatch(/ENV_FILE names .*missing\.env, which does not exist/);
  }, 60_000);
});
