/**
 * CPU per call of the three hot procedures below the HTTP layer (issue 18): stories.feed page 1,
 * messages.list page 1 and stories.react, each called through `createCaller` with a context
 * built from a bearer token as the HTTP adapter builds it (`createContextFromToken`: the token
 * check and the revocation lookup included), on a seeded Postgres database (small scale),
 * `calls` times at 16 concurrent calls. Reports this process's CPU (`process.cpuUsage`: tRPC,
 * the middlewares, the query functions, postgres.js, wire mapping, output validation) and the
 * CPU of the database's Postgres backends (/proc), in µs per call. No HTTP, no load generator:
 * what is left is what the server spends per call outside its HTTP layer. Next to it, the driver
 * floor: the statements each procedure sends (captured, as throughput.ts does) replayed on
 * postgres.js at 16 concurrent transactions, this process's CPU per call for the same.
 *
 *   pnpm bench --only procedures [--iterations N]    (N calls per procedure; 4,000 by default)
 *   NODE_OPTIONS=--cpu-prof pnpm bench --only procedures    then open the .cpuprofile
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createCaller, createContextFromToken, type AppServices } from "@companion/api";
import { hashPassword } from "@companion/auth";
import { listMessages, listStoryFeed, upsertStoryReaction, withUser, type Database } from "@companion/db";
import { parseEnv, createLogger } from "../src/index.ts";
import { createRuntime, type Runtime } from "../src/services.ts";
import { openPostgresBackend, openPostgresPool, type RawDriver, type RawQuery } from "./backends.ts";
import { createCapture, type Sent } from "./capture.ts";
import { cpuSince, cpuSnapshot } from "./proc.ts";
import { seed, volumesFor } from "./seed.ts";
import { printTable } from "./throughput.ts";
import { feedStatements, messagesStatement } from "./variants.ts";

const CONCURRENCY = 16;
const LIMIT = 20;
const ROUNDS = 10;

export interface ProcedureCpu {
  name: string;
  calls: number;
  serverUsPerCall: number;
  /** The query function in withUser, without tRPC: this process's CPU per call. */
  queryUsPerCall: number;
  /** The same statements on postgres.js alone: this process's CPU per call. */
  floorUsPerCall: number;
  postgresUsPerCall: number;
  wallMs: number;
}

export async function runProceduresBench(o: {
  postgresUrl: string;
  calls: number;
  /** Only the procedures whose name starts with this (one at a time under a profiler). */
  only?: string;
  log: (line: string) => void;
}): Promise<ProcedureCpu[]> {
  const { log } = o;
  log(`\n===== procedures through createCaller, ${CONCURRENCY} concurrent calls, Postgres (small scale data) =====`);
  const capture = createCapture();
  const backend = await openPostgresBackend(o.postgresUrl, capture.logger);
  const dataDir = await mkdtemp(join(tmpdir(), "companion-procedures-"));
  let runtime: Runtime | undefined;
  let pool: { driver: RawDriver; close: () => Promise<void> } | undefined;
  try {
    const ids = await seed(backend.raw, volumesFor("small", 2 * LIMIT), await hashPassword("bench-password-1"), () => {});
    const [media] = await backend.raw.query(
      `select m.id::text from story_media m join stories s on s.id = m.story_id
       where s.author_companion_id = $1 and s.expires_at > now() and s.deleted_at is null and m.sort_order = 0 order by s.created_at desc limit 1`,
      [ids.benchCompanionId],
    );
    const env = parseEnv({
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      JWT_SECRET: "bench-only-secret-bench-only-secret-0123456789",
      DATA_DIR: dataDir,
      MEDIA_DIR: join(dataDir, "media"),
      JOBS_IN_PROCESS: "false",
      // Raised, not removed: the limiter still runs on every reaction (as in throughput.ts).
      RATE_REACTION_PER_MIN: "1000000000",
    });
    runtime = await createRuntime(env, createLogger(env), backend.handle, { prepared: true });
    const services: AppServices = runtime.services;
    const { accessToken } = (await services.auth.login({ email: ids.benchEmail, password: "bench-password-1" }, { ip: null, userAgent: null })).tokens;
    // As apps/server/src/http.ts builds it, per request.
    const callerFor = async () =>
      createCaller(await createContextFromToken(services, accessToken, { ip: "127.0.0.1", userAgent: "bench", requestId: randomUUID() }));

    const reaction = { mediaId: String(media?.[0]), emoji: "🔥" as const };
    // The first reaction inserts (and enqueues nothing: a companion's story); every timed one replaces it.
    const db: Database = backend.handle.db;
    const userId = ids.benchUserId;
    const scoped = <T>(fn: (tx: Database) => Promise<T>) => capture.run(() => withUser(db, userId, fn));
    await scoped((tx) => upsertStoryReaction(tx, { userId, ...reaction }));
    const sent = {
      feed: await scoped((tx) => listStoryFeed(tx, { userId, limit: LIMIT })),
      messages: await scoped((tx) => listMessages(tx, { userId, companionId: ids.benchCompanionId, limit: LIMIT })),
      react: await scoped((tx) => upsertStoryReaction(tx, { userId, ...reaction })),
    };
    const inScope = (fn: (tx: Database) => Promise<number>) => () => withUser(db, userId, fn);
    const procedures: {
      name: string;
      call: () => Promise<number>;
      query: () => Promise<number>;
      sent: Sent;
      statements: (query: RawQuery) => Promise<number>;
    }[] = [
      {
        name: "stories.feed page 1",
        call: async () => (await (await callerFor()).stories.feed({ limit: LIMIT })).items.length,
        query: inScope(async (tx) => (await listStoryFeed(tx, { userId, limit: LIMIT })).items.length),
        sent: sent.feed,
        statements: (q) => feedStatements(q, sent.feed.data, LIMIT),
      },
      {
        name: "messages.list page 1",
        call: async () => (await (await callerFor()).messages.list({ companionId: ids.benchCompanionId, limit: LIMIT })).items.length,
        query: inScope(async (tx) => (await listMessages(tx, { userId, companionId: ids.benchCompanionId, limit: LIMIT })).items.length),
        sent: sent.messages,
        statements: (q) => messagesStatement(q, sent.messages.data, LIMIT),
      },
      {
        name: "stories.react",
        call: async () => ((await (await callerFor()).stories.react(reaction)).emoji === reaction.emoji ? LIMIT : 0),
        query: inScope(async (tx) => ((await upsertStoryReaction(tx, { userId, ...reaction })).emoji === reaction.emoji ? LIMIT : 0)),
        sent: sent.react,
        statements: async (q) => {
          for (const s of sent.react.data) await q(s.text, s.params);
          return LIMIT;
        },
      },
    ];
    pool = await openPostgresPool(backend.url ?? "", CONCURRENCY);
    const floorPool = pool.driver;
    // As withUser sends it (and throughput.ts' floor): the scope statement pipelined with the first data statement.
    const floorCall = (p: (typeof procedures)[number]) =>
      floorPool.transaction(async (query) => {
        const scope = Promise.all(p.sent.scope.map((s) => query(s.text, s.params)));
        const [, items] = await Promise.all([scope, p.statements(query)]);
        return items;
      });

    const backendPids = async () => (await backend.raw.query("select pid from pg_stat_activity where datname = current_database()")).map((r) => Number(r[0]));
    const run = async (call: () => Promise<number>, calls: number) => {
      let next = 0;
      const worker = async () => {
        while (next++ < calls) {
          const items = await call();
          if (items !== LIMIT) throw new Error(`smoke check: a call returned ${items} items, expected ${LIMIT}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };

    log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}; ${o.calls} calls per procedure and path, in ${ROUNDS} interleaved rounds, after untimed ones`);
    const results: ProcedureCpu[] = [];
    for (const p of procedures) {
      if (o.only !== undefined && !p.name.startsWith(o.only)) continue;
      // The three paths take turns, a new order each round, so that drift (other load, GC, JIT) hits all alike.
      const paths = [
        { key: "server", run: p.call },
        { key: "query", run: p.query },
        { key: "floor", run: () => floorCall(p) },
      ] as const;
      for (const path of paths) await run(path.run, Math.ceil(o.calls / 4));
      const cpuUs = { server: 0, query: 0, floor: 0 };
      let postgresMs = 0;
      let wallMs = 0;
      const perRound = Math.ceil(o.calls / ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        for (const path of [...paths].sort(() => Math.random() - 0.5)) {
          const pg = path.key === "server" ? await cpuSnapshot(await backendPids()) : null;
          const started = performance.now();
          const cpu = process.cpuUsage();
          await run(path.run, perRound);
          const used = process.cpuUsage(cpu);
          cpuUs[path.key] += used.user + used.system;
          if (pg) {
            wallMs += performance.now() - started;
            postgresMs += await cpuSince(pg, await backendPids());
          }
        }
      }
      const calls = perRound * ROUNDS;
      results.push({
        name: p.name,
        calls,
        serverUsPerCall: cpuUs.server / calls,
        queryUsPerCall: cpuUs.query / calls,
        floorUsPerCall: cpuUs.floor / calls,
        postgresUsPerCall: (postgresMs * 1000) / calls,
        wallMs,
      });
    }
    const rows = [["procedure", "calls/s", "server CPU µs/call (no HTTP)", "query function µs/call", "driver floor µs/call", "Postgres CPU µs/call", "server / Postgres"]];
    for (const r of results) {
      rows.push([
        r.name,
        ((r.calls * 1000) / r.wallMs).toFixed(0),
        r.serverUsPerCall.toFixed(0),
        r.queryUsPerCall.toFixed(0),
        r.floorUsPerCall.toFixed(0),
        r.postgresUsPerCall.toFixed(0),
        (r.serverUsPerCall / r.postgresUsPerCall).toFixed(2),
      ]);
    }
    printTable(log, rows);
    log("server CPU: process.cpuUsage() of this process over the timed calls (tRPC, middlewares, query functions, postgres.js, wire, output validation);");
    log("query function: the query function alone in withUser (no tRPC, context, middlewares, wire mapping or output validation);");
    log("driver floor: the same statements on postgres.js alone (BEGIN, scope, statements, COMMIT), this process's CPU per transaction;");
    log("Postgres CPU: this database's backends from /proc over the procedure's calls (10 ms ticks: read it over thousands of calls).");
    return results;
  } finally {
    await pool?.close();
    await runtime?.close();
    await backend.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}
