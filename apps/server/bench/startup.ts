/**
 * Cold start and idle memory of the server process, the way it ran before the build
 * (`tsx src/main.ts`, TypeScript compiled at run time) and the way it runs now
 * (`node dist/main.js`, the tsdown bundle):
 *  - cold start: from spawn until /readyz answers 200;
 *  - idle memory: the resident set of the whole process tree (tsx runs the server in a
 *    child process of its own) a few seconds after it became ready, with nothing to do.
 * On the embedded PGlite with a fresh data dir (initdb, migrations, demo seed), on the same
 * data dir again (a restart), and on a migrated Postgres database.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { treeRssMiB } from "./proc.ts";
import { freePort, freshPostgres } from "./ttft-processes.ts";
import { percentile } from "./stats.ts";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

type Runner = { label: string; command: string[] };
const runners: Runner[] = [
  { label: "tsx src/main.ts (before)", command: [process.execPath, "--import", "tsx", "src/main.ts"] },
  { label: "node dist/main.js (now)", command: [process.execPath, "dist/main.js"] },
];

/** One cold start; a port taken between the probe and the listen (EADDRINUSE, the child exits before ready) is retried on another. */
async function startOnce(runner: Runner, env: Record<string, string>, idleMs: number): Promise<{ readyMs: number; rssMiB: number }> {
  for (let attempt = 1; ; attempt++) {
    const result = await startOnPort(runner, env, idleMs, await freePort());
    if (result !== "exited-early") return result;
    if (attempt === 3) throw new Error(`${runner.label} exited before it was ready, 3 times`);
  }
}

async function startOnPort(runner: Runner, env: Record<string, string>, idleMs: number, port: number): Promise<{ readyMs: number; rssMiB: number } | "exited-early"> {
  const started = performance.now();
  const [cmd, ...args] = runner.command;
  const child = spawn(cmd ?? process.execPath, args, {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: String(port), LOG_LEVEL: "warn", NODE_ENV: "production", JWT_SECRET: "b".repeat(43), ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = once(child, "exit");
  try {
    for (;;) {
      if (child.exitCode !== null) return "exited-early";
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (performance.now() - started > 180_000) throw new Error(`${runner.label} not ready within 180 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, idleMs));
    return { readyMs, rssMiB: await treeRssMiB(child.pid ?? 0) };
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  }
}

export async function runStartupBench(options: { scale: "full" | "small"; postgresUrl: string | null; log: (line: string) => void }): Promise<void> {
  const { log } = options;
  const rounds = options.scale === "full" ? 5 : 1;
  const idleMs = 3000;
  log(`\n===== startup: cold start (spawn → /readyz 200) and idle memory (process tree RSS ${idleMs / 1000} s after ready), median of ${rounds} =====`);
  execFileSync("pnpm", ["exec", "turbo", "run", "build", "--filter=@companion/server", "--output-logs=errors-only"], { cwd: repoRoot, stdio: "ignore" });

  const rows: string[][] = [];
  const measure = async (label: string, runner: Runner, env: () => Promise<{ env: Record<string, string>; dispose: () => Promise<void> }>) => {
    const ready: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const target = await env();
      try {
        const r = await startOnce(runner, target.env, idleMs);
        ready.push(r.readyMs);
        rss.push(r.rssMiB);
      } finally {
        await target.dispose();
      }
    }
    rows.push([label, runner.label, `${percentile(ready, 50).toFixed(0)} ms`, `${percentile(rss, 50).toFixed(0)} MiB`]);
  };

  for (const runner of runners) {
    await measure("PGlite, fresh data dir", runner, async () => {
      const dir = await mkdtemp(join(tmpdir(), "companion-startup-"));
      return { env: { DATA_DIR: dir }, dispose: () => rm(dir, { recursive: true, force: true }) };
    });
    // A restart: the data dir exists (created once, outside the measurement).
    const dir = await mkdtemp(join(tmpdir(), "companion-startup-"));
    await startOnce(runner, { DATA_DIR: dir }, 0);
    await measure("PGlite, existing data dir", runner, async () => ({ env: { DATA_DIR: dir }, dispose: async () => {} }));
    await rm(dir, { recursive: true, force: true });
    if (options.postgresUrl) {
      const db = await freshPostgres(options.postgresUrl);
      await startOnce(runner, { DATABASE_URL: db.url }, 0); // migrate once
      await measure("Postgres, migrated", runner, async () => ({ env: { DATABASE_URL: db.url }, dispose: async () => {} }));
      await db.dispose();
    }
  }
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? "").length), 12));
  log(["database", "command", "cold start", "idle RSS"].map((h, c) => h.padEnd(widths[c] ?? 0)).join("  "));
  for (const row of rows.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""))) log(row.map((v, c) => v.padEnd(widths[c] ?? 0)).join("  "));
}
