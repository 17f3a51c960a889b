/**
 * The realtime fan-out's ceiling on Postgres LISTEN/NOTIFY (docs/realtime.md): two built
 * server processes on one Postgres database, each holding one events.subscribe stream (SSE)
 * per user for `USERS` users, and publishers in this process calling `emit_events` (the
 * `events` row and its pg_notify, as every emitter does) for a random one of those users,
 * one event per transaction:
 *
 *  - paced: `PACED_PER_SECOND` events a second for a few seconds: end-to-end latency (the
 *    commit of emit_events to the event's arrival on a subscriber's SSE stream) with headroom;
 *  - saturated: 8, then 32 connections (`PUBLISHERS`) emitting as fast as Postgres takes them for `SECONDS`:
 *    events delivered per second (each event reaches two subscribers, one per server), the
 *    latency then, and the CPU per event of this database's Postgres backends (the publishers'
 *    inserts, the LISTEN connections, every subscriber's read of its new row) and of the servers;
 *  - memory per open subscription: one server's RSS before and after opening `OPEN_STREAMS`
 *    more streams.
 * Timings are printed, never asserted; an event that never arrives fails the run.
 */
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { hashPassword } from "@companion/auth";
import { openPostgresBackend, openPostgresPool, type RawDriver } from "./backends.ts";
import { buildServer, login, startBuiltServer, type BuiltServer } from "./built-server.ts";
import { cpuSince, cpuSnapshot, treePids, treeRssMiB } from "./proc.ts";
import { BENCH_PASSWORD, seed, volumesFor } from "./seed.ts";
import { percentile } from "./stats.ts";
import { printTable } from "./throughput.ts";
import { referenceWorkloadMs } from "./ttft-processes.ts";

const USERS = 20;
const PUBLISHERS = [8, 32];
const SECONDS = 10;
const PACED_PER_SECOND = 100;
const PACED_SECONDS = 5;
const OPEN_STREAMS = 1000;
const DRAIN_MS = 10_000;

/** What every stream reports to: when each event (by its payload's storyId) was sent, and its arrivals. */
interface Ledger {
  sentAt: Map<string, number>;
  latencies: number[];
  delivered: number;
  lastArrival: number;
}

interface Stream {
  close(): void;
}

/** One events.subscribe stream over SSE; resolves once the server has set it up and said so (its first bytes). */
async function openStream(url: string, token: string, ledger: Ledger | null): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${url}/trpc/events.subscribe?input=${encodeURIComponent("{}")}`, {
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    signal: abort.signal,
  });
  const reader = res.body?.getReader();
  if (!res.ok || !reader) throw new Error(`events.subscribe: HTTP ${res.status}`);
  const first = await reader.read();
  if (first.done) throw new Error("events.subscribe ended at once");
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        if (!ledger) continue;
        buffer += decoder.decode(chunk.value, { stream: true });
        const end = buffer.lastIndexOf("\n\n");
        if (end < 0) continue;
        const complete = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const now = performance.now();
        for (const m of complete.matchAll(/"storyId":"([0-9a-f-]{36})"/g)) {
          const sent = ledger.sentAt.get(m[1] ?? "");
          if (sent === undefined) continue;
          ledger.latencies.push(now - sent);
          ledger.delivered++;
          ledger.lastArrival = now;
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { close: () => abort.abort() };
}

/** One event for `userId` in its own transaction, as emitEvents sends it; the time it was sent, keyed by its storyId. */
async function emit(pool: RawDriver, ledger: Ledger, userId: string): Promise<void> {
  const storyId = randomUUID();
  const json = JSON.stringify([{ user_id: userId, type: "story.viewed", payload: { storyId, viewerId: randomUUID() } }]);
  ledger.sentAt.set(storyId, performance.now());
  await pool.query("select e.event_id from emit_events($1::jsonb) as e", [json]);
}

async function drained(ledger: Ledger, expected: number): Promise<void> {
  const deadline = performance.now() + DRAIN_MS;
  while (ledger.delivered < expected) {
    if (performance.now() > deadline) throw new Error(`only ${ledger.delivered} of ${expected} deliveries arrived within ${DRAIN_MS / 1000} s of the last emit`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runNotifyBench(o: { postgresUrl: string; log: (line: string) => void }): Promise<void> {
  const { log } = o;
  log(`\n===== realtime fan-out on LISTEN/NOTIFY: 2 server processes (node dist/main.js), ${USERS} users with one stream on each =====`);
  buildServer();
  const backend = await openPostgresBackend(o.postgresUrl, { logQuery: () => {} });
  const servers: BuiltServer[] = [];
  const streams: Stream[] = [];
  let pool: { driver: RawDriver; close: () => Promise<void> } | undefined;
  try {
    await seed(backend.raw, volumesFor("small", 40), await hashPassword(BENCH_PASSWORD), () => {});
    const users = (await backend.raw.query("select id::text, email from users order by email limit $1", [USERS])).map((r) => ({ id: String(r[0]), email: String(r[1]) }));
    const env = { DATABASE_URL: backend.url ?? "", JOBS_IN_PROCESS: "false" };
    servers.push(await startBuiltServer(env), await startBuiltServer(env));
    const tokens = await Promise.all(users.map((u) => login(servers[0]?.url ?? "", u.email, BENCH_PASSWORD)));
    const ledger: Ledger = { sentAt: new Map(), latencies: [], delivered: 0, lastArrival: 0 };
    for (const server of servers) for (const token of tokens) streams.push(await openStream(server.url, token, ledger));
    pool = await openPostgresPool(backend.url ?? "", Math.max(...PUBLISHERS));
    const publisher = pool.driver;
    const randomUser = () => users[Math.floor(Math.random() * users.length)]?.id ?? "";
    const subscribersPerEvent = servers.length;
    log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} (other work on this machine shares its cores and its Postgres); reference workload ${referenceWorkloadMs().toFixed(1)} ms (higher = slower machine)`);

    // Paced: one event every 1/PACED_PER_SECOND s.
    const pacedCount = PACED_PER_SECOND * PACED_SECONDS;
    const pacedStart = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < pacedCount; i++) {
      const due = pacedStart + (i * 1000) / PACED_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(emit(publisher, ledger, randomUser()));
    }
    await Promise.all(inFlight);
    await drained(ledger, pacedCount * subscribersPerEvent);
    const paced = [...ledger.latencies];

    const ms = (xs: number[], p: number) => percentile(xs, p).toFixed(1);
    const rows = [
      ["run", "events emitted/s", "deliveries/s (2 per event)", "latency p50 / p99 ms", "Postgres CPU ms/event", "servers' CPU ms/delivery"],
      [`paced, ${PACED_PER_SECOND}/s for ${PACED_SECONDS} s`, String(PACED_PER_SECOND), String(PACED_PER_SECOND * subscribersPerEvent), `${ms(paced, 50)} / ${ms(paced, 99)}`, "", ""],
    ];
    // Saturated: `publishers` connections as fast as they go (more of them: is it the commits or the fan-out that stops it?).
    const backendPids = async () => (await backend.raw.query("select pid from pg_stat_activity where datname = current_database()")).map((r) => Number(r[0]));
    const serverPids = async () => (await Promise.all(servers.map((s) => treePids(s.pid)))).flat();
    for (const publishers of PUBLISHERS) {
      ledger.latencies = [];
      ledger.delivered = 0;
      ledger.sentAt.clear();
      const pg0 = await cpuSnapshot(await backendPids());
      const srv0 = await cpuSnapshot(await serverPids());
      const started = performance.now();
      const deadline = started + SECONDS * 1000;
      let emitted = 0;
      await Promise.all(
        Array.from({ length: publishers }, async () => {
          while (performance.now() < deadline) {
            await emit(publisher, ledger, randomUser());
            emitted++;
          }
        }),
      );
      const emitSeconds = (performance.now() - started) / 1000;
      await drained(ledger, emitted * subscribersPerEvent);
      const deliverSeconds = (ledger.lastArrival - started) / 1000;
      const postgresMs = await cpuSince(pg0, await backendPids());
      const serverMs = await cpuSince(srv0, await serverPids());
      rows.push([
        `saturated, ${publishers} publishers for ${SECONDS} s`,
        (emitted / emitSeconds).toFixed(0),
        (ledger.delivered / deliverSeconds).toFixed(0),
        `${ms(ledger.latencies, 50)} / ${ms(ledger.latencies, 99)}`,
        (postgresMs / emitted).toFixed(3),
        (serverMs / ledger.delivered).toFixed(3),
      ]);
    }
    printTable(log, rows);
    log("Postgres CPU: this database's backends (publishers, both LISTEN connections, the subscribers' reads); not the WAL writer.");

    // Memory per open subscription, on the first server.
    const first = servers[0] as BuiltServer;
    const settle = () => new Promise((r) => setTimeout(r, 3000));
    await settle();
    const before = await treeRssMiB(first.pid);
    for (let i = 0; i < OPEN_STREAMS; i++) streams.push(await openStream(first.url, tokens[i % tokens.length] ?? "", null));
    await settle();
    const after = await treeRssMiB(first.pid);
    log(`memory per open subscription: RSS ${before.toFixed(0)} MiB → ${after.toFixed(0)} MiB with ${OPEN_STREAMS} more open streams: ${(((after - before) * 1024) / OPEN_STREAMS).toFixed(1)} KiB each`);
  } finally {
    for (const s of streams) s.close();
    await pool?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await backend.dispose();
  }
}
