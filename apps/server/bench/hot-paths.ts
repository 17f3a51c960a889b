/**
 * One backend's run of the hot-path benchmark: open and seed a database, record the
 * statements the query functions send, start the real HTTP server over the database, then
 * time the paths of variants.ts at page 1 and at the deep page.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createCaller, createContextInner } from "@companion/api";
import { hashPassword } from "@companion/auth";
import { createClient } from "@companion/client";
import { listMessages, listStoryFeed, searchFullText, withUser, type Database } from "@companion/db";
import { createLogger, parseEnv, startServer, type RunningServer } from "../src/index.ts";
import { openPgliteBackend, openPostgresBackend, type Backend, type BackendKind, type RawDriver } from "./backends.ts";
import { createCapture, deepCursors, type Sent } from "./capture.ts";
import { explainStatement } from "./explain.ts";
import { BENCH_PASSWORD, seed, volumesFor } from "./seed.ts";
import { summarize, type BackendResult, type Summary } from "./stats.ts";
import { buildVariants, measure, SEARCHES } from "./variants.ts";

export interface RunOptions {
  scale: "full" | "small";
  deepPage: number;
  limit: number;
  iterations: number;
  warmup: number;
  postgresUrl: string;
  /** Print EXPLAIN ANALYZE of the captured hot statements (custom and generic plans). */
  explain: boolean;
  /** Leave the Postgres database in place (its URL is printed). */
  keepDatabase: boolean;
  log: (line: string) => void;
}

function assertPage(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`smoke check: ${what} returned ${got} rows, expected ${want}`);
}

async function startBenchServer(backend: Backend): Promise<{ server: RunningServer; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), "companion-bench-"));
  const env = parseEnv({
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    // Warnings only: an access-log line per request would be measured too.
    LOG_LEVEL: "warn",
    JWT_SECRET: "bench-only-secret-bench-only-secret-0123456789",
    DATA_DIR: dataDir,
    MEDIA_DIR: join(dataDir, "media"),
    JOBS_IN_PROCESS: "false",
  });
  return { server: await startServer(env, createLogger(env), backend.handle), dataDir };
}

export async function benchBackend(kind: BackendKind, opts: RunOptions): Promise<BackendResult> {
  const { log, limit } = opts;
  const capture = createCapture();
  const volumes = volumesFor(opts.scale, opts.deepPage * limit + limit);
  log(`\n[${kind}] opening and migrating`);
  const openStarted = performance.now();
  const backend = kind === "pglite" ? await openPgliteBackend(capture.logger) : await openPostgresBackend(opts.postgresUrl, capture.logger, { keep: opts.keepDatabase });
  let running: { server: RunningServer; dataDir: string } | undefined;
  try {
    log(`[${kind}] opened and migrated in ${((performance.now() - openStarted) / 1000).toFixed(1)} s; seeding`);
    const seedStarted = performance.now();
    const ids = await seed(backend.raw, volumes, await hashPassword(BENCH_PASSWORD), log);
    const seedMs = performance.now() - seedStarted;
    const deep = await deepCursors(backend.raw, ids, opts.deepPage, limit);

    // The statements each query function sends, as the server will send them.
    const db: Database = backend.handle.db;
    const scoped = <T>(fn: (tx: Database) => Promise<T>) => withUser(db, ids.benchUserId, fn);
    const feedAt = (cursor?: string) => capture.run(() => scoped((tx) => listStoryFeed(tx, { userId: ids.benchUserId, cursor, limit })));
    const messagesAt = (cursor?: string) =>
      capture.run(() => scoped((tx) => listMessages(tx, { userId: ids.benchUserId, companionId: ids.benchCompanionId, cursor, limit })));
    const searchFor = (q: string) => capture.run(() => scoped((tx) => searchFullText(tx, { userId: ids.benchUserId, q, limit })));
    const sent = {
      "feed.page1": await feedAt(),
      "feed.deep": await feedAt(deep.feed.cursor),
      "messages.page1": await messagesAt(),
      "messages.deep": await messagesAt(deep.messages.cursor),
      "search.mine": await searchFor(SEARCHES.mine),
      "search.everyone": await searchFor(SEARCHES.everyone),
      "search.rare": await searchFor(SEARCHES.rare),
    };
    for (const [what, s] of Object.entries(sent)) {
      assertPage(`${what} data statements`, s.data.length, what.startsWith("feed") ? 2 : 1);
    }

    if (opts.explain) await explainAll(backend.scopedRaw, sent, log);

    running = await startBenchServer(backend);
    let token: string | undefined;
    const api = createClient({ url: running.server.url, getAccessToken: () => token, onTokens: (t) => void (token = t?.accessToken) });
    const { user } = await api.auth.login.mutate({ email: ids.benchEmail, password: BENCH_PASSWORD });
    // The same procedures without HTTP and the client: what tRPC's own layer and the procedure cost.
    const caller = createCaller(
      createContextInner({ services: running.server.runtime.services, user: { id: user.id, sessionId: randomUUID(), role: "user" } }),
    );

    const variants = buildVariants({
      backend,
      user: await backend.userSession(ids.benchUserId),
      api,
      http: { url: running.server.url, token: () => token ?? "" },
      caller,
      companionId: ids.benchCompanionId,
      limit,
      cursors: { feed: deep.feed.cursor, messages: deep.messages.cursor },
      sent,
    });

    // The deep page through the API starts exactly where the SQL window said it would.
    const deepFeed = await api.stories.feed.query({ limit, cursor: deep.feed.cursor });
    const deepMessages = await api.messages.list.query({ companionId: ids.benchCompanionId, limit, cursor: deep.messages.cursor });
    if (deepFeed.items[0]?.id !== deep.feed.firstId || deepMessages.items[0]?.id !== deep.messages.firstId) {
      throw new Error("smoke check: the deep page does not start at the computed keyset position");
    }
    if (deepFeed.items.some((s) => s.slides.length !== 3)) throw new Error("smoke check: a feed story without its 3 slides");

    const load = loadavg().map((l) => l.toFixed(1)).join(" ");
    log(`[${kind}] load average ${load}; warming up (${opts.warmup} rounds), then ${opts.iterations} rounds of ${Object.keys(variants).length} calls`);
    const samples = await measure(variants, limit, opts.warmup, opts.iterations);

    const timings: Record<string, Summary> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
    const p50 = (key: string) => timings[key]?.p50 ?? NaN;
    return {
      backend: kind,
      scale: opts.scale,
      deepPage: opts.deepPage,
      limit,
      seedMs,
      loadAverage: load,
      volumes: {
        users: volumes.users,
        companions: volumes.companions,
        stories: volumes.stories,
        storySlides: volumes.stories * 3,
        messages: volumes.messages,
        benchConversation: volumes.benchConversation,
        memories: volumes.memories,
      },
      timings,
      ratios: {
        feedDeepOverFirst: p50("api.feed.deep") / p50("api.feed.page1"),
        messagesDeepOverFirst: p50("api.messages.deep") / p50("api.messages.page1"),
        feedApiOverRaw: p50("api.feed.page1") / p50("raw.feed.page1"),
        messagesApiOverRaw: p50("api.messages.page1") / p50("raw.messages.page1"),
        feedRawOverNoRls: p50("raw.feed.page1") / p50("norls.feed.page1"),
        messagesRawOverNoRls: p50("raw.messages.page1") / p50("norls.messages.page1"),
      },
      search: { q: SEARCHES },
    };
  } finally {
    if (running) {
      await running.server.stop();
      await rm(running.dataDir, { recursive: true, force: true });
    }
    await backend.dispose();
  }
}

async function explainAll(raw: RawDriver, sent: Record<string, Sent>, log: (line: string) => void) {
  const names: Record<string, string[]> = { feed: ["stories page", "media batch"], messages: ["messages page"], search: ["search page"] };
  for (const [what, s] of Object.entries(sent)) {
    for (const [i, statement] of s.data.entries()) {
      const name = names[what.split(".")[0] ?? ""]?.[i] ?? `statement ${i + 1}`;
      log(`\n----- EXPLAIN ${what}: ${name}\n${statement.text}`);
      for (const mode of ["custom", "generic"] as const) log(`\n[${mode} plan]\n${await explainStatement(raw, s.scope, statement, mode)}`);
    }
  }
}
