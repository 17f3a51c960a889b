/**
 * `pnpm bench` (root) runs this; arguments after it are forwarded:
 *
 *   pnpm bench                       full scale: 10k users, 100k stories, 1M messages, ...
 *   pnpm bench --scale small         a hundredth of it, page 50 instead of 500 (CI, < 1 min)
 *   pnpm bench --only hot-paths      one part only: hot-paths, ttft, startup, jobs, leak-guard, revocations, procedures, throughput, memory or notify
 *   pnpm bench --json out.json       also write the hot-path figures as JSON
 *   pnpm bench --explain             also print EXPLAIN ANALYZE of the hot statements
 *   pnpm bench --backend postgres    one backend only (both by default)
 *   pnpm bench --keep-db             leave the seeded Postgres database for psql (URL printed)
 *
 * Hot paths (hot-paths.ts): stories.feed and messages.list at page 1 and at a deep page, on
 * PGlite in memory and on a fresh database of the real Postgres (BENCH_DATABASE_URL, else
 * TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres), which must answer.
 * Then ttft.ts runs in its own process (BENCH_SCALE=small for the small scale), then
 * startup.ts: cold start and idle memory, tsx from source against the built bundle, then
 * jobs.ts: job queue throughput with one and two worker processes, and what enqueueing a job
 * adds to a mutation's transaction. Then leak-guard.ts: the anti-leak output guard's cost per
 * streamed token (CPU only). Then revocations.ts: what refusing revoked sessions adds to every
 * authenticated request, the feed's included (a Map lookup; target < 0.05 ms p50).
 * The full run (not --scale small) then runs, on Postgres only, procedures.ts: CPU µs per call of
 * stories.feed, messages.list and stories.react through createCaller at 16 concurrent calls,
 * next to the query function alone and the driver floor (what the server spends below its HTTP
 * layer; --iterations sets the calls, 4,000 by default), then throughput.ts: req/s at 16
 * connections of the built server (1 process and WEB_CONCURRENCY=2, autocannon in its own
 * process) against the same statements on the driver (the floor), CPU per request of the
 * server and of Postgres, and idle memory (also alone: `--only memory`); and notify.ts: the LISTEN/NOTIFY fan-out's ceiling
 * across two server processes and the memory of an open subscription (docs/scaling.md).
 * Exits non-zero when a query errors or returns no rows; timings are reported, not asserted.
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { assertPostgresReachable } from "./backends.ts";
import { benchBackend, type RunOptions } from "./hot-paths.ts";
import { runJobsBench } from "./jobs.ts";
import { runLeakGuardBench } from "./leak-guard.ts";
import { runRevocationsBench } from "./revocations.ts";
import { runProceduresBench } from "./procedures.ts";
import { runNotifyBench } from "./notify.ts";
import { runStartupBench } from "./startup.ts";
import { runMemoryBench, runThroughputBench } from "./throughput.ts";
import { printBackend, type BackendResult } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    scale: { type: "string" },
    only: { type: "string" },
    json: { type: "string" },
    iterations: { type: "string" },
    backend: { type: "string" },
    explain: { type: "boolean" },
    "keep-db": { type: "boolean" },
  },
  strict: true,
});

const env = z
  .object({
    BENCH_DATABASE_URL: z.url().optional(),
    TEST_DATABASE_URL: z.url().optional(),
    // ttft.ts reads the scale from here; accepted as an alternative to --scale.
    BENCH_SCALE: z.enum(["full", "small"]).optional(),
  })
  .parse(process.env);

const scale = z.enum(["full", "small"]).parse(args.scale ?? env.BENCH_SCALE ?? "full");
const only = z.enum(["hot-paths", "ttft", "startup", "jobs", "leak-guard", "revocations", "procedures", "throughput", "memory", "notify"]).optional().parse(args.only);
const backends = args.backend ? [z.enum(["pglite", "postgres"]).parse(args.backend)] : (["pglite", "postgres"] as const);
const iterations = args.iterations ? z.coerce.number().int().min(1).parse(args.iterations) : scale === "full" ? 200 : 50;

const options: RunOptions = {
  scale,
  // Small data is not deep enough for page 500: 1,000 stories in all.
  deepPage: scale === "full" ? 500 : 50,
  limit: 20,
  iterations,
  warmup: scale === "full" ? 30 : 10,
  explain: args.explain ?? false,
  keepDatabase: args["keep-db"] ?? false,
  postgresUrl: env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  log: (line) => console.log(line),
};

async function runHotPaths(): Promise<void> {
  const started = performance.now();
  console.log(`hot paths, ${scale} scale: stories.feed and messages.list at page 1 and page ${options.deepPage} (limit ${options.limit})`);
  if (scale === "small") console.log(`(small scale: the deep page is page ${options.deepPage}, not 500)`);
  if (backends.includes("postgres")) await assertPostgresReachable(options.postgresUrl);
  const results: BackendResult[] = [];
  for (const kind of backends) results.push(await benchBackend(kind, options));
  console.log(`\n===== hot paths (${scale} scale), milliseconds per call, sequential =====`);
  for (const r of results) printBackend(r);
  console.log(`\nhot paths done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (args.json) await writeFile(args.json, JSON.stringify({ scale, results }, null, 2) + "\n");
}

/** ttft.ts as its own process, as its author intended (it starts a server child process of its own). */
function runTtft(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("ttft.ts", import.meta.url))], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, BENCH_SCALE: scale },
      stdio: "inherit",
    });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ttft benchmark exited with ${code}`))));
  });
}

try {
  if (only === undefined || only === "hot-paths") await runHotPaths();
  if (only === undefined || only === "ttft") await runTtft();
  if (only === undefined || only === "startup") {
    await runStartupBench({ scale, postgresUrl: backends.includes("postgres") ? options.postgresUrl : null, log: options.log });
  }
  if (only === undefined || only === "jobs") {
    if (backends.includes("postgres")) await assertPostgresReachable(options.postgresUrl);
    await runJobsBench({ scale, postgresUrl: backends.includes("postgres") ? options.postgresUrl : null, pglite: backends.includes("pglite"), log: options.log });
  }
  if (only === undefined || only === "leak-guard") runLeakGuardBench({ scale, log: options.log });
  if (only === undefined || only === "revocations") await runRevocationsBench({ scale, log: options.log });
  // Minutes on Postgres: in the full run and on request, like throughput below.
  if (only === "procedures" || (only === undefined && scale === "full")) {
    await assertPostgresReachable(options.postgresUrl);
    await runProceduresBench({ postgresUrl: options.postgresUrl, calls: args.iterations ? iterations : 4_000, log: options.log });
  }
  // Minutes of load on Postgres only: in the full run and on request, never in CI's small one.
  if (only === "throughput" || (only === undefined && scale === "full")) {
    await assertPostgresReachable(options.postgresUrl);
    await runThroughputBench({ scale, postgresUrl: options.postgresUrl, log: options.log });
  }
  // The idle memory alone (the full throughput run ends with it): about 2 min at --scale small.
  if (only === "memory") {
    await assertPostgresReachable(options.postgresUrl);
    await runMemoryBench({ scale, postgresUrl: options.postgresUrl, log: options.log });
  }
  if (only === "notify" || (only === undefined && scale === "full")) {
    await assertPostgresReachable(options.postgresUrl);
    await runNotifyBench({ postgresUrl: options.postgresUrl, log: options.log });
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
