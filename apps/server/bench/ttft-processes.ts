/**
 * The processes of the TTFT benchmark (ttft.ts): the fake provider, the server under test
 * and its database, and the CPU time each has used.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "@companion/db";
import { sql } from "drizzle-orm";
import { percentile } from "./stats.ts";

/** A port nobody listens on right now (the kernel's pick, so never one of its ephemeral ports in use). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const serverDir = fileURLToPath(new URL("..", import.meta.url));

/** The fake provider in a process of its own: `ttftMs` to the first token, then `reply` a word every `tokenGapMs`. */
export async function startFakeProvider(options: { ttftMs: number; tokenGapMs: number; reply: string }): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/fake-provider.ts", String(options.ttftMs), String(options.tokenGapMs), options.reply], {
    cwd: serverDir,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`fake provider exited with ${code}`)));
  });
  if (child.pid === undefined) throw new Error("fake provider has no pid");
  return {
    url,
    pid: child.pid,
    stop: async () => {
      const exited = once(child, "exit");
      child.stdin.end();
      await exited;
    },
  };
}

/** Where the server under test keeps its data: the embedded default, or a Postgres URL. */
export type Target = { label: string; databaseUrl?: string; /** Server processes (WEB_CONCURRENCY); Postgres only. */ processes: number };

/** A fresh database on the Postgres at `adminUrl`, dropped by `dispose`. */
export async function freshPostgres(adminUrl: string): Promise<{ url: string; dispose: () => Promise<void> }> {
  const name = `companion_ttft_${randomBytes(4).toString("hex")}`;
  const admin = await openDatabase({ kind: "postgres", url: adminUrl, poolSize: 1 });
  await admin.db.execute(sql.raw(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dispose: async () => {
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
    },
  };
}

/** The real server as a child process using the fake at `fakeUrl`; `nodeArgs` go to its node. */
export async function startServerProcess(fakeUrl: string, target: Target, nodeArgs: readonly string[]) {
  const dataDir = await mkdtemp(join(tmpdir(), "companion-bench-"));
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      PORT: String(port),
      LOG_LEVEL: "warn",
      DATA_DIR: dataDir,
      SEED_DEMO: "true",
      ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : {}),
      JWT_SECRET: randomBytes(32).toString("base64url"),
      OPENAI_API_KEY: "bench-key",
      OPENAI_BASE_URL: fakeUrl,
      AI_TIMEOUT_MS: "10000",
      // The safety check is on as deployed (docs/safety.md); BENCH_TTFT_MODERATION=off leaves the moderation endpoint out.
      ...(process.env.BENCH_TTFT_MODERATION === "off" ? { SAFETY_MODERATION_MODEL: "off" } : {}),
      // The benchmark sends far more than a person would.
      RATE_CHAT_PER_MIN: "1000000",
      ...(target.processes > 1 ? { WEB_CONCURRENCY: String(target.processes) } : {}),
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error("server did not become ready in 120 s");
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (child.pid === undefined) throw new Error("server process has no pid");
  return {
    url,
    pid: child.pid,
    stop: async () => {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * CPU time (ms) used so far, from /proc (Linux; NaN elsewhere): by the server (`serverPid`
 * and its cluster workers), by the fake provider, and by every `postgres` process (the
 * local database, PGlite runs inside the server).
 */
export async function cpuSnapshot(serverPid: number, fakePid: number): Promise<{ server: number; fake: number; postgres: number }> {
  const procs = new Map<number, { ppid: number; comm: string; ticks: number }>();
  try {
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
      // "pid (comm) state ppid ... utime(14th field) stime(15th)".
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields.length > 12) procs.set(Number(entry), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
    }
  } catch {
    return { server: NaN, fake: NaN, postgres: NaN };
  }
  const under = (pid: number, root: number) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = procs.get(p)?.ppid ?? 0, hops++) if (p === root) return true;
    return false;
  };
  const ms = (keep: (pid: number, comm: string) => boolean) => {
    let ticks = 0;
    for (const [pid, proc] of procs) if (keep(pid, proc.comm)) ticks += proc.ticks;
    return ticks * 10; // USER_HZ is 100 on Linux
  };
  return { server: ms((pid) => under(pid, serverPid)), fake: ms((pid) => under(pid, fakePid)), postgres: ms((_, comm) => comm === "postgres") };
}

/**
 * How fast the machine is right now: the median time of a fixed JavaScript workload (JSON,
 * allocation, sorting: the kind of work the server does per token). On a shared VM the same
 * code gives other TTFT figures when a neighbour takes the CPU; this puts a number on it.
 */
export function referenceWorkloadMs(): number {
  const event = { type: "token", text: "hello", meta: { id: "3f1c2e", at: 1_700_000_000_000, tags: ["a", "b", "c"] } };
  const runs: number[] = [];
  for (let run = 0; run < 7; run++) {
    const started = performance.now();
    let keep = 0;
    for (let i = 0; i < 20_000; i++) {
      const copy = JSON.parse(JSON.stringify({ ...event, seq: i })) as { seq: number; meta: { tags: string[] } };
      keep += copy.seq + copy.meta.tags.sort().length;
    }
    if (keep < 0) throw new Error("unreachable");
    runs.push(performance.now() - started);
  }
  return percentile(runs, 50);
}

/** Jiffies stolen from this VM by its hypervisor, and all jiffies, machine-wide (/proc/stat; NaN elsewhere). */
export async function stealSnapshot(): Promise<{ steal: number; total: number }> {
  const line = (await readFile("/proc/stat", "utf8").catch(() => "")).split("\n")[0] ?? "";
  const fields = line.split(/\s+/).slice(1).map(Number);
  if (fields.length < 8) return { steal: NaN, total: NaN };
  return { steal: fields[7] ?? NaN, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
}
