/**
 * Throughput at 16 connections and what each request costs in CPU, server and Postgres apart
 * (issue 18), then the server's idle memory:
 *
 *  - API: the built server (`node dist/main.js`) on a seeded Postgres database, in its own
 *    process, once alone, once alone on tRPC's standard adapter (TRPC_FAST_PATH=false) and once
 *    with WEB_CONCURRENCY=2, driven by autocannon (its own
 *    process) for `seconds` after a warm-up, on stories.feed page 1, messages.list page 1 and
 *    stories.react (a mutation, POST);
 *  - floor: the statements those procedures send (captured through a Drizzle logger, as
 *    hot-paths.ts does), replayed on postgres.js at 16 concurrent transactions: BEGIN,
 *    withUser's scope statement, the data statements, COMMIT;
 *  - CPU per request from /proc: the server's process tree (every cluster worker), and the
 *    Postgres backends of the benchmark's database (pg_stat_activity); background processes
 *    (WAL writer, checkpointer) are not counted;
 *  - idle RSS of the built server 3 s after it is ready and 3 s after 10,000 requests, on
 *    Postgres and on a fresh embedded PGlite data dir.
 * Timings are printed, never asserted; a non-2xx answer or a short page fails the run.
 */
import { loadavg } from "node:os";
import { hashPassword } from "@companion/auth";
import { listMessages, listStoryFeed, upsertStoryReaction, withUser, type Database } from "@companion/db";
import { openPostgresBackend, openPostgresPool, type Backend, type RawDriver, type RawQuery } from "./backends.ts";
import { autocannon, buildServer, login, startBuiltServer, trpcCall, type BuiltServer, type LoadResult } from "./built-server.ts";
import { createCapture, type Sent } from "./capture.ts";
import { cpuSince, cpuSnapshot, treePids, treeRssMiB } from "./proc.ts";
import { BENCH_PASSWORD, seed, volumesFor } from "./seed.ts";
import { referenceWorkloadMs } from "./ttft-processes.ts";
import { feedStatements, messagesStatement } from "./variants.ts";

export interface ThroughputOptions {
  scale: "full" | "small";
  postgresUrl: string;
  log: (line: string) => void;
}

const CONNECTIONS = 16;
const SECONDS = 10;
const WARMUP_SECONDS = 3;
const LIMIT = 20;
const MEMORY_REQUESTS = 10_000;
// The server's rate limit on reactions (60 a minute) would answer 429 after a second; raised, not removed: the limiter still runs.
const UNLIMITED_REACTIONS = "1000000000";

interface Endpoint {
  name: string;
  path: string;
  input: unknown;
  mutation: boolean;
  sent: Sent;
  /** The data statements on one transaction's connection; resolves to the items of the page (1 for react). */
  statements: (query: RawQuery) => Promise<number>;
  items: number;
  /** Issue 18's targets: API / floor req/s at least, server / Postgres CPU at most. */
  targets: { throughput: number; cpu: number };
}

interface Cost {
  perSecond: number;
  p50?: number;
  p99?: number;
  serverMsPerRequest: number | null;
  postgresMsPerRequest: number;
}

export async function runThroughputBench(o: ThroughputOptions): Promise<void> {
  const { log } = o;
  log(`\n===== throughput: ${CONNECTIONS} connections, ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up; built server on Postgres (${o.scale} scale data) =====`);
  buildServer();
  const capture = createCapture();
  const backend = await openPostgresBackend(o.postgresUrl, capture.logger);
  const servers: BuiltServer[] = [];
  let pool: { driver: RawDriver; close: () => Promise<void> } | undefined;
  try {
    const ids = await seed(backend.raw, volumesFor(o.scale, 2 * LIMIT), await hashPassword(BENCH_PASSWORD), () => {});
    const [media] = await backend.raw.query(
      `select m.id::text from story_media m join stories s on s.id = m.story_id
       where s.author_companion_id = $1 and s.expires_at > now() and s.deleted_at is null and m.sort_order = 0 order by s.created_at desc limit 1`,
      [ids.benchCompanionId],
    );
    const mediaId = String(media?.[0]);
    const db: Database = backend.handle.db;
    const userId = ids.benchUserId;
    const scoped = <T>(fn: (tx: Database) => Promise<T>) => withUser(db, userId, fn);
    const reaction = { mediaId, emoji: "🔥" };
    // The first reaction inserts; every later one (all the benchmark sends) replaces it.
    await scoped((tx) => upsertStoryReaction(tx, { userId, ...reaction }));
    const sent = {
      feed: await capture.run(() => scoped((tx) => listStoryFeed(tx, { userId, limit: LIMIT }))),
      messages: await capture.run(() => scoped((tx) => listMessages(tx, { userId, companionId: ids.benchCompanionId, limit: LIMIT }))),
      react: await capture.run(() => scoped((tx) => upsertStoryReaction(tx, { userId, ...reaction }))),
    };
    const endpoints: Endpoint[] = [
      {
        name: "stories.feed page 1",
        path: "stories.feed",
        input: { limit: LIMIT },
        mutation: false,
        sent: sent.feed,
        statements: (q) => feedStatements(q, sent.feed.data, LIMIT),
        items: LIMIT,
        targets: { throughput: 0.9, cpu: 0.25 },
      },
      {
        name: "messages.list page 1",
        path: "messages.list",
        input: { companionId: ids.benchCompanionId, limit: LIMIT },
        mutation: false,
        sent: sent.messages,
        statements: (q) => messagesStatement(q, sent.messages.data, LIMIT),
        items: LIMIT,
        targets: { throughput: 0.75, cpu: 0.7 },
      },
      {
        name: "stories.react",
        path: "stories.react",
        input: reaction,
        mutation: true,
        sent: sent.react,
        statements: async (q) => {
          for (const s of sent.react.data) await q(s.text, s.params);
          return 1;
        },
        items: 1,
        targets: { throughput: 0.9, cpu: 0.12 },
      },
    ];
    for (const e of endpoints) if (e.sent.data.length === 0 || e.sent.scope.length === 0) throw new Error(`${e.name}: nothing captured`);

    const backendPids = async () => (await backend.raw.query("select pid from pg_stat_activity where datname = current_database()")).map((r) => Number(r[0]));
    // CPU of the server tree (when there is a server) and of this database's Postgres backends over `run`.
    const costOf = async (serverPid: number | null, run: () => Promise<number>) => {
      const pg = await cpuSnapshot(await backendPids());
      const server = serverPid === null ? null : await cpuSnapshot(await treePids(serverPid));
      const requests = await run();
      const postgresMs = await cpuSince(pg, await backendPids());
      const serverMs = serverPid === null || server === null ? null : await cpuSince(server, await treePids(serverPid));
      return { requests, serverMsPerRequest: serverMs === null ? null : serverMs / requests, postgresMsPerRequest: postgresMs / requests };
    };

    log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} (other work on this machine shares its cores and its Postgres); reference workload ${referenceWorkloadMs().toFixed(1)} ms (higher = slower machine)`);
    // The floor first, on its own pool of 16 connections.
    pool = await openPostgresPool(backend.url ?? "", CONNECTIONS);
    const floor = new Map<string, Cost>();
    for (const e of endpoints) {
      await floorRun(pool.driver, e, WARMUP_SECONDS);
      const c = await costOf(null, () => floorRun(pool?.driver as RawDriver, e, SECONDS));
      floor.set(e.name, { perSecond: c.requests / SECONDS, serverMsPerRequest: null, postgresMsPerRequest: c.postgresMsPerRequest });
    }
    await pool.close();
    pool = undefined;

    const api = new Map<string, Map<string, Cost>>();
    // The standard tRPC adapter too, for what the single-call fast path buys (trpc-single-call.ts).
    const runs: { label: string; env: Record<string, string> }[] = [
      { label: "1 process", env: { WEB_CONCURRENCY: "1" } },
      { label: "1 process, standard tRPC adapter", env: { WEB_CONCURRENCY: "1", TRPC_FAST_PATH: "false" } },
      { label: "WEB_CONCURRENCY=2", env: { WEB_CONCURRENCY: "2" } },
    ];
    for (const { label, env } of runs) {
      const server = await startBuiltServer({
        DATABASE_URL: backend.url ?? "",
        JOBS_IN_PROCESS: "false",
        RATE_REACTION_PER_MIN: UNLIMITED_REACTIONS,
        ...env,
      });
      servers.push(server);
      const token = await login(server.url, ids.benchEmail, BENCH_PASSWORD);
      const costs = new Map<string, Cost>();
      for (const e of endpoints) {
        // The answer is right before it is timed: a full page, or the reaction.
        const data = (await trpcCall(server.url, e.path, e.mutation ? "mutation" : "query", e.input, token)) as { items?: unknown[]; emoji?: string };
        if ((data.items?.length ?? (data.emoji ? 1 : 0)) !== e.items) throw new Error(`smoke check: ${e.name} over HTTP did not return ${e.items} items`);
        const target = {
          url: e.mutation ? `${server.url}/trpc/${e.path}` : `${server.url}/trpc/${e.path}?input=${encodeURIComponent(JSON.stringify(e.input))}`,
          token,
          body: e.mutation ? e.input : undefined,
        };
        await autocannon(target, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
        let result: LoadResult | undefined;
        const c = await costOf(server.pid, async () => {
          result = await autocannon(target, { connections: CONNECTIONS, seconds: SECONDS });
          return result.requests;
        });
        if (!result) throw new Error("no autocannon result");
        costs.set(e.name, { perSecond: result.perSecond, p50: result.p50, p99: result.p99, ...c });
      }
      api.set(label, costs);
      await server.stop();
      servers.pop();
    }
    printThroughput(log, endpoints, floor, api);

    await runMemory(log, backend, ids.benchEmail);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await pool?.close();
    await backend.dispose();
  }
}

/** Transactions of `e`'s statements on `connections` concurrent connections for `seconds`; how many completed. */
async function floorRun(pool: RawDriver, e: Endpoint, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const items = await pool.transaction(async (query) => {
        // As withUser sends it: the scope statement pipelined with the first data statement.
        const scope = Promise.all(e.sent.scope.map((s) => query(s.text, s.params)));
        const [, n] = await Promise.all([scope, e.statements(query)]);
        return n;
      });
      if (items !== e.items) throw new Error(`smoke check: the floor of ${e.name} returned ${items} items, expected ${e.items}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return done;
}

const fmt = (n: number | null | undefined, digits = 2) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(digits));

function printThroughput(log: (line: string) => void, endpoints: Endpoint[], floor: Map<string, Cost>, api: Map<string, Map<string, Cost>>): void {
  const rows: string[][] = [["endpoint", "run", "req/s", "p50 / p99 ms", "API / floor (target ≥)", "server CPU ms/req", "Postgres CPU ms/req", "server / Postgres (target ≤)"]];
  for (const e of endpoints) {
    const f = floor.get(e.name);
    rows.push([e.name, "floor (postgres.js, 16 tx)", fmt(f?.perSecond, 0), "", "", "", fmt(f?.postgresMsPerRequest, 3), ""]);
    for (const [label, costs] of api) {
      const c = costs.get(e.name);
      if (!c || !f) continue;
      rows.push([
        "",
        `API, ${label}`,
        fmt(c.perSecond, 0),
        `${fmt(c.p50, 0)} / ${fmt(c.p99, 0)}`,
        `${fmt(c.perSecond / f.perSecond)} (${e.targets.throughput})`,
        fmt(c.serverMsPerRequest, 3),
        fmt(c.postgresMsPerRequest, 3),
        `${fmt((c.serverMsPerRequest ?? NaN) / c.postgresMsPerRequest)} (${e.targets.cpu})`,
      ]);
    }
  }
  printTable(log, rows);
  log("CPU from /proc: server = the process tree of node dist/main.js (all cluster workers); Postgres = this database's backends (pg_stat_activity).");
}

export function printTable(log: (line: string) => void, rows: string[][]): void {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const row of rows) log(row.map((v, c) => v.padEnd(widths[c] ?? 0)).join("  ").trimEnd());
}

const IDLE_MS = 3000;

/**
 * `--only memory`: the idle-memory part alone (runMemory), on a Postgres database seeded at
 * `scale` and a fresh PGlite data dir, without the minutes of throughput runs before it.
 */
export async function runMemoryBench(o: ThroughputOptions): Promise<void> {
  o.log(`\n===== memory: built server on Postgres (${o.scale} scale data) and on a fresh PGlite data dir =====`);
  buildServer();
  const backend = await openPostgresBackend(o.postgresUrl, { logQuery: () => {} });
  try {
    const ids = await seed(backend.raw, volumesFor(o.scale, 2 * LIMIT), await hashPassword(BENCH_PASSWORD), () => {});
    await runMemory(o.log, backend, ids.benchEmail);
  } finally {
    await backend.dispose();
  }
}

/** Idle RSS of the built server (one process) after start and after 10,000 feed requests: on the seeded Postgres database, then on a fresh PGlite data dir. */
async function runMemory(log: (line: string) => void, backend: Backend, benchEmail: string): Promise<void> {
  const rows: string[][] = [["database", "idle RSS after start", `after ${MEMORY_REQUESTS} requests`, "target"]];
  const measure = async (label: string, env: Record<string, string>, token: (server: BuiltServer) => Promise<string>, target: string) => {
    const server = await startBuiltServer(env);
    try {
      await new Promise((r) => setTimeout(r, IDLE_MS));
      const started = await treeRssMiB(server.pid);
      const feed = `${server.url}/trpc/stories.feed?input=${encodeURIComponent(JSON.stringify({ limit: LIMIT }))}`;
      await autocannon({ url: feed, token: await token(server) }, { connections: CONNECTIONS, amount: MEMORY_REQUESTS });
      await new Promise((r) => setTimeout(r, IDLE_MS));
      rows.push([label, `${started.toFixed(0)} MiB`, `${(await treeRssMiB(server.pid)).toFixed(0)} MiB`, target]);
    } finally {
      await server.stop();
    }
  };
  await measure("Postgres (seeded)", { DATABASE_URL: backend.url ?? "", JOBS_IN_PROCESS: "false" }, (s) => login(s.url, benchEmail, BENCH_PASSWORD), "≤ 100 MiB");
  // The embedded default: initdb, migrations and the demo seed in a fresh data dir, jobs in process.
  await measure(
    "PGlite (fresh data dir)",
    {},
    async (s) => {
      const session = (await trpcCall(s.url, "auth.register", "mutation", { email: "memory@bench.example.com", password: BENCH_PASSWORD, displayName: "Memory" })) as {
        tokens: { accessToken: string };
      };
      return session.tokens.accessToken;
    },
    "≤ 300 MiB",
  );
  log(`\nidle memory of node dist/main.js (process RSS, ${IDLE_MS / 1000} s idle after start, and after ${MEMORY_REQUESTS} stories.feed requests at ${CONNECTIONS} connections)`);
  printTable(log, rows);
}
