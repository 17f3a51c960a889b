/**
 * Time to first token: what our server adds on top of the model provider's own.
 *
 *   pnpm --filter @companion/server bench            (or `pnpm bench` from the root)
 *   BENCH_SCALE=small pnpm --filter @companion/server bench   (fewer samples, for CI)
 *
 * A fake OpenAI-compatible provider (bench/fake-provider.ts, a process of its own) answers
 * streams after a fixed delay (its TTFT), then streams a reply of 90 tokens, one every
 * 20 ms (a hosted model's 50 tokens/s): each stream lasts about 2 s. The real server
 * runs as another child process, configured to use it: on the embedded database, then on a
 * fresh Postgres database when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (or only on
 * DATABASE_URL when that is set). This process runs only the clients. At 1 and at 50
 * concurrent streams (50 open at every moment, their starts spread out as independent
 * users' are: see `measure`) we measure:
 *   - provider TTFT: the openai SDK straight to the fake, request to first content delta;
 *   - server TTFT: packages/client `messages.start` then `messages.stream`, from the POST to the first `token` event
 *     (auth, user-scoped transaction saving the message and loading the prompt context,
 *     the provider call, SSE back to the client);
 * and print p50/p99 of both, the difference in ms and the ratio. Target: < 10 ms added at p50.
 * Also printed: the server's CPU time per exchange, the share of a core each process
 * (server, clients, fake provider, Postgres) used while the server streamed, and how fast
 * the machine was (a reference workload's time, and CPU stolen by the hypervisor).
 * Timings are printed, not asserted: on a shared machine they move with its load.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { createOpenAIProvider } from "@companion/ai";
import { createClient, type CompanionClient } from "@companion/client";
import { percentile } from "./stats.ts";
import { cpuSnapshot, freshPostgres, referenceWorkloadMs, startFakeProvider, startServerProcess, stealSnapshot, type Target } from "./ttft-processes.ts";

const small = process.env.BENCH_SCALE === "small";
const PROVIDER_TTFT_MS = 50;
// A hosted model's ~50 tokens/s. With no gap the whole reply (and its save) would land in
// the same instant as the first token, which no real provider does.
const PROVIDER_TOKEN_GAP_MS = Number(process.env.BENCH_TTFT_TOKEN_GAP_MS ?? 20);
// BENCH_TTFT_CONCURRENCY=50 (a comma list), BENCH_TTFT_MODERATION=off (the safety check offline only), BENCH_TTFT_REPLY="...", BENCH_TTFT_TOKEN_GAP_MS=10 and BENCH_TTFT_NODE_FLAGS
// (for the server's node) are for experiments, as is BENCH_TTFT_PROFILE_DIR, which writes the
// server processes' CPU profiles there.
const positiveList = (value: string | undefined, fallback: number[]) => (value?.split(",").map(Number) ?? fallback).filter((n) => Number.isInteger(n) && n > 0);
const CONCURRENCY = positiveList(process.env.BENCH_TTFT_CONCURRENCY, [1, 50]);
// BENCH_TTFT_PROCESSES=1 (a comma list): the Postgres server process counts to run.
const PROCESSES = positiveList(process.env.BENCH_TTFT_PROCESSES, [1, 2]);
/** Samples per concurrency: a lone stream takes a whole reply (~2 s) per sample. */
const samplesAt = (concurrency: number) => (concurrency === 1 ? (small ? 8 : 100) : small ? 40 : 300);
const WARMUP = small ? 4 : 40;
// A companion's reply of a few sentences: 90 word-sized tokens.
const REPLY =
  process.env.BENCH_TTFT_REPLY ??
  "That sounds like a long day, and I am glad you told me about it. When the morning starts badly it is easy to feel " +
    "that everything after it is going wrong too, even the small things. You still finished the report, though, and you " +
    "called your sister on the way home, which you said you wanted to do last week. Maybe tonight can be slow: some tea, " +
    "the window open, that book you keep meaning to finish. Tell me one thing that went right today, however small it was.";

interface Sample {
  provider: number[];
  server: number[];
}

const profileDir = process.env.BENCH_TTFT_PROFILE_DIR;
/** Flags for the server's node: the experiment knobs above. */
const serverNodeArgs = [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), ...(process.env.BENCH_TTFT_NODE_FLAGS?.split(" ").filter(Boolean) ?? [])];

async function signUpConnected(url: string, companionId: string | undefined, i: number): Promise<{ api: CompanionClient; companionId: string }> {
  let token: string | undefined;
  const api = createClient({ url, getAccessToken: () => token, onTokens: (t) => void (token = t?.accessToken) });
  await api.auth.register.mutate({ email: `bench-${i}-${randomBytes(4).toString("hex")}@example.com`, password: "bench-password-1", displayName: `Bench ${i}` });
  const id = companionId ?? (await api.companions.list.query({ limit: 1 })).items[0]?.id;
  if (!id) throw new Error("no companion to chat with (demo seed missing?)");
  await api.companions.connect.mutate({ companionId: id });
  return { api, companionId: id };
}

/** Exchanges run through the server so far, counted or not (the CPU figure divides by it). */
let serverExchanges = 0;

/** start (POST) → subscribe → first token, then wait for `done` so the exchange is complete before the next. */
async function serverTtft(user: { api: CompanionClient; companionId: string }): Promise<number> {
  serverExchanges++;
  const started = performance.now();
  const { userMessage } = await user.api.messages.start.mutate({
    companionId: user.companionId,
    content: "hello there, how was your day?",
    idempotencyKey: randomUUID(),
  });
  return new Promise((resolve, reject) => {
    let first: number | undefined;
    const sub = user.api.messages.stream.subscribe(
      { messageId: userMessage.id },
      {
        onData: (event) => {
          if (event.type === "token" && first === undefined) first = performance.now() - started;
          if (event.type === "fallback") reject(new Error(`provider fell back: ${event.reason}`));
          if (event.type === "done") {
            sub.unsubscribe();
            if (first === undefined) reject(new Error("done without a token"));
            else resolve(first);
          }
        },
        onError: reject,
      },
    );
  });
}

/**
 * The openai SDK straight to the fake. `readAll`: stay for the whole reply, so that 50
 * concurrent streams load the fake (and this process) as the server's 50 do; a lone stream
 * leaves after its first token.
 */
async function providerTtft(provider: ReturnType<typeof createOpenAIProvider>, readAll: boolean): Promise<number> {
  const started = performance.now();
  let first: number | undefined;
  for await (const chunk of provider.stream({ messages: [{ role: "user", content: "hello there" }], maxTokens: 100 })) {
    if (chunk.type === "delta" && first === undefined) {
      first = performance.now() - started;
      if (!readAll) break;
    }
  }
  if (first === undefined) throw new Error("no delta");
  return first;
}

/** How long one exchange with the fake takes: its TTFT, then a token every gap. */
const EXCHANGE_MS = PROVIDER_TTFT_MS + REPLY.split(/(?<=\s)/).length * PROVIDER_TOKEN_GAP_MS;

/**
 * Keeps `concurrency` streams open, each worker starting the next exchange as soon as its
 * last one ends, until `samples` results are collected. The workers' first exchanges are
 * spread evenly over one exchange's length, as the streams of independent users are, rather
 * than all opened in the same millisecond: a synchronised burst would measure the queue of
 * 50 simultaneous opens, and the closed loop would keep repeating it. Only exchanges
 * started once every worker is running count.
 */
async function measure(concurrency: number, samples: number, fn: (worker: number) => Promise<number>): Promise<number[]> {
  const results: number[] = [];
  const spreadMs = concurrency > 1 ? EXCHANGE_MS : 0;
  const allRunning = performance.now() + spreadMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      await new Promise((r) => setTimeout(r, (worker / concurrency) * spreadMs));
      while (results.length < samples) {
        const startedAt = performance.now();
        const value = await fn(worker);
        if (startedAt >= allRunning && results.length < samples) results.push(value);
      }
    }),
  );
  return results;
}

/**
 * DATABASE_URL: that database only. Otherwise the embedded default, then a fresh database on
 * BENCH_DATABASE_URL / TEST_DATABASE_URL when one is set (as the hot-path benchmark does).
 * On Postgres the server runs as one process, then as two (WEB_CONCURRENCY=2, one per core
 * of the 2-core development machine; the embedded database allows one process).
 */
async function main(): Promise<void> {
  const given = process.env.DATABASE_URL;
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const onPostgres = async (label: string, url: () => Promise<{ url: string; dispose: () => Promise<void> }>) => {
    for (const processes of PROCESSES) {
      const db = await url();
      try {
        await runTarget({ label: `${label}, ${processes} server process${processes > 1 ? "es" : ""}`, databaseUrl: db.url, processes });
      } finally {
        await db.dispose();
      }
    }
  };
  if (given) {
    await onPostgres("postgres (DATABASE_URL)", () => Promise.resolve({ url: given, dispose: () => Promise.resolve() }));
    return;
  }
  await runTarget({ label: "pglite (embedded, on disk)", processes: 1 });
  if (adminUrl) await onPostgres("postgres (fresh database)", () => freshPostgres(adminUrl));
}

async function runTarget(target: Target): Promise<void> {
  const fake = await startFakeProvider({ ttftMs: PROVIDER_TTFT_MS, tokenGapMs: PROVIDER_TOKEN_GAP_MS, reply: REPLY });
  const fakeUrl = fake.url;
  const server = await startServerProcess(fakeUrl, target, serverNodeArgs);
  const provider = createOpenAIProvider({ name: "direct", apiKey: "bench-key", baseURL: fakeUrl, model: "gpt-4o-mini", timeoutMs: 10_000, maxRetries: 0 });
  try {
    const maxConcurrency = Math.max(...CONCURRENCY);
    const first = await signUpConnected(server.url, undefined, 0);
    const users = [first];
    for (let i = 1; i < maxConcurrency; i++) users.push(await signUpConnected(server.url, first.companionId, i));

    await measure(maxConcurrency, WARMUP, (w) => serverTtft(users[w % users.length] ?? first));
    await measure(maxConcurrency, WARMUP, () => providerTtft(provider, true));

    const rows: Row[] = [];
    const machine = { referenceMs: referenceWorkloadMs(), steal: await stealSnapshot() };
    for (const concurrency of CONCURRENCY) {
      // Interleave the two measurements so drift (GC, JIT, the database growing) hits both alike.
      const sample: Sample = { provider: [], server: [] };
      const cpuBefore = await cpuSnapshot(server.pid, fake.pid);
      const exchangesBefore = serverExchanges;
      // Where the machine's CPU goes while the server streams (100% = one core).
      const busy = { wall: 0, server: 0, fake: 0, postgres: 0, clients: 0 };
      for (let round = 0; round < 4; round++) {
        sample.provider.push(...(await measure(concurrency, samplesAt(concurrency) / 4, () => providerTtft(provider, concurrency > 1))));
        const before = { at: performance.now(), cpu: await cpuSnapshot(server.pid, fake.pid), clients: process.cpuUsage() };
        sample.server.push(...(await measure(concurrency, samplesAt(concurrency) / 4, (w) => serverTtft(users[w % users.length] ?? first))));
        const clients = process.cpuUsage(before.clients);
        busy.wall += performance.now() - before.at;
        const after = await cpuSnapshot(server.pid, fake.pid);
        busy.server += after.server - before.cpu.server;
        busy.fake += after.fake - before.cpu.fake;
        busy.postgres += after.postgres - before.cpu.postgres;
        busy.clients += (clients.user + clients.system) / 1000;
      }
      // Includes the background work (call records, sentiment) of those exchanges.
      await new Promise((r) => setTimeout(r, 500));
      const share = (ms: number) => `${((100 * ms) / busy.wall).toFixed(0)}%`;
      rows.push({
        concurrency,
        sample,
        serverCpuMsPerExchange: ((await cpuSnapshot(server.pid, fake.pid)).server - cpuBefore.server) / (serverExchanges - exchangesBefore),
        cores: `server ${share(busy.server)}, postgres ${share(busy.postgres)}, clients ${share(busy.clients)}, fake provider ${share(busy.fake)}`,
      });
    }
    const steal = await stealSnapshot();
    const stolen = (100 * (steal.steal - machine.steal.steal)) / (steal.total - machine.steal.total);
    report(rows, target.label, { referenceMs: machine.referenceMs, stolenPercent: stolen });
  } finally {
    await server.stop();
    await fake.stop();
  }
}

interface Row {
  concurrency: number;
  sample: Sample;
  /** CPU time of the server's processes per exchange (Linux /proc; NaN elsewhere). */
  serverCpuMsPerExchange: number;
  /** Each process's CPU time over the run's wall time (100% = one core). */
  cores: string;
}

function report(rows: Row[], database: string, machine: { referenceMs: number; stolenPercent: number }): void {
  const f = (n: number) => n.toFixed(1).padStart(7);
  const r = (n: number) => n.toFixed(2).padStart(5);
  console.log(`\nTTFT through the server vs the fake provider alone (provider TTFT ~${PROVIDER_TTFT_MS} ms, database: ${database})`);
  console.log(
    process.env.BENCH_TTFT_MODERATION === "off"
      ? "safety check: offline only (BENCH_TTFT_MODERATION=off): every message classified offline, every reply held back at trigger words and checked sentence by sentence"
      : "safety check: on: every message moderated at the fake provider's /v1/moderations (timeout 800 ms, else offline) before it is stored, every reply held back at trigger words and checked sentence by sentence, then moderated whole before it is saved (docs/safety.md)",
  );
  console.log("concurrency  samples   provider p50/p99 ms   server p50/p99 ms   added p50/p99 ms   ratio p50/p99   server CPU/exchange");
  const verdicts: string[] = [];
  for (const { concurrency, sample, serverCpuMsPerExchange, cores } of rows) {
    const p = { p50: percentile(sample.provider, 50), p99: percentile(sample.provider, 99) };
    const s = { p50: percentile(sample.server, 50), p99: percentile(sample.server, 99) };
    const added = s.p50 - p.p50;
    verdicts.push(`${concurrency} stream${concurrency > 1 ? "s" : ""}: ${added.toFixed(1)} ms ${added < 10 ? "— met" : "— MISSED"}`);
    console.log(
      `${String(concurrency).padStart(11)}  ${String(sample.server.length).padStart(7)}   ${f(p.p50)} /${f(p.p99)}   ${f(s.p50)} /${f(s.p99)}  ${f(added)} /${f(s.p99 - p.p99)}   ${r(s.p50 / p.p50)} / ${r(s.p99 / p.p99)}   ${serverCpuMsPerExchange.toFixed(1).padStart(8)} ms   (CPU: ${cores})`,
    );
  }
  console.log(
    `machine: reference workload ${machine.referenceMs.toFixed(1)} ms (higher = slower machine), ` +
      `CPU stolen by the hypervisor ${machine.stolenPercent.toFixed(1)}% during the run, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  console.log(`target: < 10 ms added at p50 (${verdicts.join("; ")})\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
