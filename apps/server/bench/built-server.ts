/**
 * The server as production runs it: the built bundle (`node dist/main.js`) in a process of its
 * own, and autocannon in another, so neither the load generator nor the benchmark's own work
 * shares a process (or its CPU figures) with the server.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ttft-processes.ts";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const autocannonCli = fileURLToPath(import.meta.resolve("autocannon/autocannon.js"));

/** `pnpm --filter @companion/server build` through turbo (cached when nothing changed). */
export function buildServer(): void {
  execFileSync("pnpm", ["exec", "turbo", "run", "build", "--filter=@companion/server", "--output-logs=errors-only"], { cwd: repoRoot, stdio: "ignore" });
}

export interface BuiltServer {
  url: string;
  /** The process (the cluster primary when WEB_CONCURRENCY > 1; its workers are its children). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts `node dist/main.js` with `env` on a free port and waits for /readyz (3 tries on a port race). */
export async function startBuiltServer(env: Record<string, string>): Promise<BuiltServer> {
  for (let attempt = 1; ; attempt++) {
    const server = await startOnPort(env, await freePort());
    if (server) return server;
    if (attempt === 3) throw new Error("the built server exited before it was ready, 3 times");
  }
}

async function startOnPort(env: Record<string, string>, port: number): Promise<BuiltServer | null> {
  const dataDir = await mkdtemp(join(tmpdir(), "companion-throughput-"));
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      // Warnings only: an access-log line per request would be measured too (as in hot-paths.ts).
      LOG_LEVEL: "warn",
      JWT_SECRET: "bench-only-secret-bench-only-secret-0123456789",
      DATA_DIR: dataDir,
      MEDIA_DIR: join(dataDir, "media"),
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  };
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      return null;
    }
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
    if (performance.now() - started > 180_000) {
      await stop();
      throw new Error("the built server was not ready within 180 s");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, stop };
}

/** One tRPC call over plain HTTP, as packages/client sends a single (unbatched) one; the result's data. */
export async function trpcCall(url: string, path: string, kind: "query" | "mutation", input: unknown, token?: string): Promise<unknown> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res =
    kind === "query"
      ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(`${url}/trpc/${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(input) });
  const body = (await res.json()) as { result?: { data?: unknown }; error?: unknown };
  if (!res.ok || body.result === undefined) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body.error ?? body)}`);
  return body.result.data;
}

/** An access token for `email`. */
export async function login(url: string, email: string, password: string): Promise<string> {
  const session = (await trpcCall(url, "auth.login", "mutation", { email, password })) as { tokens: { accessToken: string } };
  return session.tokens.accessToken;
}

/** What autocannon sends: one URL, GET or a JSON POST. */
export interface LoadTarget {
  url: string;
  token: string;
  /** A mutation's JSON body (POST); a query without. */
  body?: unknown;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * autocannon's CLI in a child process: `connections` connections for `seconds` (or `amount`
 * requests in all). Any non-2xx answer or socket error fails the run: a figure from error
 * pages would measure the wrong thing.
 */
export async function autocannon(target: LoadTarget, options: { connections: number; seconds?: number; amount?: number }): Promise<LoadResult> {
  const args = [autocannonCli, "-j", "-c", String(options.connections), "-H", `authorization=Bearer ${target.token}`];
  if (options.amount !== undefined) args.push("-a", String(options.amount));
  else args.push("-d", String(options.seconds ?? 10));
  if (target.body !== undefined) args.push("-m", "POST", "-H", "content-type=application/json", "-b", JSON.stringify(target.body));
  args.push(target.url);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`autocannon exited with ${code}`);
  const r = JSON.parse(out) as {
    requests: { total: number };
    duration: number;
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`autocannon on ${target.url}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  return { requests: r.requests.total, seconds: r.duration, perSecond: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99 };
}
