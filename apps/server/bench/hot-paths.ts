/**
 * One backend's run of the hot-path benchmark: seed, start the real HTTP server over the
 * seeded database, then time `stories.feed` and `messages.list` at page 1 and at the deep
 * page three ways, interleaved round-robin so drift (GC, JIT, caches) hits all alike:
 *   api     packages/client → HTTP → tRPC → withUser → query functions;
 *   scoped  the very statements withUser and the query functions sent (captured from a
 *           Drizzle logger), replayed on the driver inside BEGIN ... COMMIT;
 *   raw     the data statements alone on the driver: the floor.
 * Every timed call is checked to return a full page, so the run doubles as a smoke test.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createCaller, createContextInner } from "@companion/api";
import { hashPassword } from "@companion/auth";
import { createClient } from "@companion/client";
import { encodeCursor, encodeFeedCursor, listMessages, listStoryFeed, withUser, type Database } from "@companion/db";
import type { Logger } from "drizzle-orm/logger";
import { createLogger, parseEnv, startServer, type RunningServer } from "../src/index.ts";
import { openPgliteBackend, openPostgresBackend, type Backend, type BackendKind, type RawDriver } from "./backends.ts";
import { explainStatement, type Statement } from "./explain.ts";
import { BENCH_PASSWORD, seed, volumesFor, type SeededIds } from "./seed.ts";
import { summarize, type BackendResult, type Summary } from "./stats.ts";

export interface RunOptions {
  scale: "full" | "small";
  deepPage: number;
  limit: number;
  iterations: number;
  warmup: number;
  postgresUrl: string;
  /** Print EXPLAIN ANALYZE of the captured hot statements (custom and generic plans). */
  explain: boolean;
  log: (line: string) => void;
}

// Transaction control and withUser's set_config are not data statements (as in the feed's query-count test).
const isDataStatement = (q: string) => !/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(q) && !/set_config/i.test(q);

/** Records what Drizzle sends while `on`; the server's requests are not recorded. */
function createCapture() {
  const state = { on: false, statements: [] as Statement[] };
  const logger: Logger = { logQuery: (text, params) => void (state.on && state.statements.push({ text, params })) };
  return {
    logger,
    async run(fn: () => Promise<unknown>): Promise<{ scope: Statement[]; data: Statement[] }> {
      state.statements = [];
      state.on = true;
      try {
        await fn();
      } finally {
        state.on = false;
      }
      return {
        scope: state.statements.filter((s) => !isDataStatement(s.text)),
        data: state.statements.filter((s) => isDataStatement(s.text)),
      };
    },
  };
}

/**
 * The keyset positions that start `page` (the last row of the page before) in the bench
 * user's feed and conversation, found with row_number() over each list's order, not by
 * walking. The feed's order is unseen first, then newest (story-feed.ts); the seeded feed
 * holds companion stories only, all of public companions.
 */
async function deepCursors(raw: RawDriver, ids: SeededIds, page: number, limit: number) {
  const target = (page - 1) * limit;
  const rowsAround = async (list: string, order: string, params: unknown[], what: string) => {
    const n = params.length + 1;
    const rows = await raw.query(
      `select extract(epoch from created_at) * 1000, id::text, seen from (
         select created_at, id, seen, row_number() over (order by ${order}) as rn from (${list}) l
       ) t where rn in ($${n}::bigint, $${n}::bigint + 1) order by rn`,
      [...params, target],
    );
    const [last, first] = rows;
    const [ms, id, seen] = last ?? [];
    if (typeof id !== "string" || !first) throw new Error(`${what}: fewer than ${target + 1} rows, no page ${page}`);
    return { position: { createdAt: new Date(Number(ms)), id, seen: seen === true }, firstId: String(first[1]) };
  };
  const feed = await rowsAround(
    `select s.created_at, s.id, exists (select 1 from story_views v where v.story_id = s.id and v.viewer_id = $1) as seen
     from stories s where s.deleted_at is null and s.expires_at > now()
       and s.author_companion_id in (select companion_id from relationship_states where user_id = $1)`,
    "seen, created_at desc, id desc",
    [ids.benchUserId],
    "feed",
  );
  const messages = await rowsAround(
    "select created_at, id, false as seen from messages where user_id = $1 and companion_id = $2",
    "created_at desc, id desc",
    [ids.benchUserId, ids.benchCompanionId],
    "messages",
  );
  return {
    feed: { cursor: encodeFeedCursor(feed.position), firstId: feed.firstId },
    messages: { cursor: encodeCursor(messages.position), firstId: messages.firstId },
  };
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
  const backend = kind === "pglite" ? await openPgliteBackend(capture.logger) : await openPostgresBackend(opts.postgresUrl, capture.logger);
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
    const sent = {
      "feed.page1": await feedAt(),
      "feed.deep": await feedAt(deep.feed.cursor),
      "messages.page1": await messagesAt(),
      "messages.deep": await messagesAt(deep.messages.cursor),
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

    // Feed: heads, then the media of exactly those heads (the ids bound as one array, as the query function does).
    const rawFeed = async (query: RawDriver["query"], statements: Statement[]) => {
      const [heads, media] = statements;
      if (!heads || !media) throw new Error("feed: expected two statements");
      const rows = await query(heads.text, heads.params);
      const ids = rows.slice(0, limit).map((r) => r[0]);
      await query(media.text, media.params.map((p) => (Array.isArray(p) ? ids : p)));
      return rows.length - 1;
    };
    const rawMessages = async (query: RawDriver["query"], statements: Statement[]) => {
      const [list] = statements;
      if (!list) throw new Error("messages: expected one statement");
      return (await query(list.text, list.params)).length - 1;
    };
    const inScope = <T>(scope: Statement[], fn: (query: RawDriver["query"]) => Promise<T>) =>
      backend.scopedRaw.transaction(async (query) => {
        for (const s of scope) await query(s.text, s.params);
        return fn(query);
      });

    const variants: Record<string, { run: () => Promise<number>; firstId?: string }> = {};
    for (const page of ["page1", "deep"] as const) {
      const feedCursor = page === "deep" ? deep.feed.cursor : undefined;
      const messagesCursor = page === "deep" ? deep.messages.cursor : undefined;
      const feed = sent[`feed.${page}`];
      const messages = sent[`messages.${page}`];
      variants[`api.feed.${page}`] = { run: async () => (await api.stories.feed.query({ limit, cursor: feedCursor })).items.length };
      variants[`caller.feed.${page}`] = { run: async () => (await caller.stories.feed({ limit, cursor: feedCursor })).items.length };
      variants[`scoped.feed.${page}`] = { run: () => inScope(feed.scope, (q) => rawFeed(q, feed.data)) };
      variants[`raw.feed.${page}`] = { run: () => rawFeed(backend.raw.query, feed.data) };
      variants[`api.messages.${page}`] = {
        run: async () => (await api.messages.list.query({ companionId: ids.benchCompanionId, limit, cursor: messagesCursor })).items.length,
      };
      variants[`caller.messages.${page}`] = {
        run: async () => (await caller.messages.list({ companionId: ids.benchCompanionId, limit, cursor: messagesCursor })).items.length,
      };
      variants[`scoped.messages.${page}`] = { run: () => inScope(messages.scope, (q) => rawMessages(q, messages.data)) };
      variants[`raw.messages.${page}`] = { run: () => rawMessages(backend.raw.query, messages.data) };
    }

    // The deep page through the API starts exactly where the SQL window said it would.
    const deepFeed = await api.stories.feed.query({ limit, cursor: deep.feed.cursor });
    const deepMessages = await api.messages.list.query({ companionId: ids.benchCompanionId, limit, cursor: deep.messages.cursor });
    if (deepFeed.items[0]?.id !== deep.feed.firstId || deepMessages.items[0]?.id !== deep.messages.firstId) {
      throw new Error("smoke check: the deep page does not start at the computed keyset position");
    }
    if (deepFeed.items.some((s) => s.slides.length !== 3)) throw new Error("smoke check: a feed story without its 3 slides");

    log(`[${kind}] load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}; warming up (${opts.warmup} rounds), then ${opts.iterations} rounds of ${Object.keys(variants).length} calls`);
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let round = 0; round < opts.warmup + opts.iterations; round++) {
      for (const [name, variant] of Object.entries(variants)) {
        const started = performance.now();
        const rows = await variant.run();
        const elapsed = performance.now() - started;
        assertPage(name, rows, limit);
        if (round >= opts.warmup) samples[name]?.push(elapsed);
      }
    }

    const timings: Record<string, Summary> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
    const p50 = (key: string) => timings[key]?.p50 ?? NaN;
    return {
      backend: kind,
      scale: opts.scale,
      deepPage: opts.deepPage,
      limit,
      seedMs,
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
      },
    };
  } finally {
    if (running) {
      await running.server.stop();
      await rm(running.dataDir, { recursive: true, force: true });
    }
    await backend.dispose();
  }
}

async function explainAll(raw: RawDriver, sent: Record<string, { scope: Statement[]; data: Statement[] }>, log: (line: string) => void) {
  const names: Record<string, string[]> = { feed: ["stories page", "media batch"], messages: ["messages page"] };
  for (const [what, s] of Object.entries(sent)) {
    for (const [i, statement] of s.data.entries()) {
      const name = names[what.split(".")[0] ?? ""]?.[i] ?? `statement ${i + 1}`;
      log(`\n----- EXPLAIN ${what}: ${name}\n${statement.text}`);
      for (const mode of ["custom", "generic"] as const) log(`\n[${mode} plan]\n${await explainStatement(raw, s.scope, statement, mode)}`);
    }
  }
}
