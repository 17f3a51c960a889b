/**
 * Starts the real HTTP server in-process on a random port over this test file's own
 * database, and hands out typed clients from packages/client — the way an app would.
 */
import { randomBytes } from "node:crypto";
import { createClient, type CompanionClient, type CreateClientOptions } from "@companion/client";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import type { ScheduledJob } from "@companion/jobs";
import type { AuthTokens } from "@companion/validators";
import type { DestinationStream } from "pino";
import { createLogger, parseEnv, startServer, type RunningServer } from "../src/index.ts";

export interface TestServer {
  url: string;
  server: RunningServer;
  database: TestDatabase;
  /** A typed client whose tokens live in memory, like an app's token store. */
  client(opts?: Partial<CreateClientOptions>): CompanionClient;
  /** The same, plus a view of the stored tokens (the client itself is a proxy: no extra fields). */
  session(opts?: Partial<CreateClientOptions>): { api: CompanionClient; tokens: () => AuthTokens | null };
  /** Replies still being written are saved and every job they (or anything else) enqueued has run. */
  settle(): Promise<void>;
  /** Runs a recurring job now (as its schedule would), and what it enqueued, to the end. */
  runJob(name: ScheduledJob): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `options.database`: serve this database instead of a fresh one (e.g. one created with a
 * query-recording logger); the server closes it on stop, like its own. `options.logTo`:
 * where the server's log lines go (with LOG_LEVEL in `env`), for tests that read them.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { database?: TestDatabase; logTo?: DestinationStream } = {},
): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const parsed = parseEnv({
    NODE_ENV: "test",
    PORT: "0",
    LOG_LEVEL: "silent",
    JWT_SECRET: randomBytes(32).toString("base64url"),
    // The jobs run here, as on the embedded default (a test may pass "false"), and look often.
    JOBS_IN_PROCESS: "true",
    JOB_POLL_SECONDS: "0.5",
    // Companions post only when a test runs the sweep itself: a scheduled post would change other tests' feeds.
    COMPANION_STORY_CRON: "off",
    // The pgbouncer run sets "false": the whole suite on tRPC's standard adapter too (vitest.config.ts).
    TRPC_FAST_PATH: process.env.TEST_TRPC_FAST_PATH ?? "true",
    ...env,
  });
  const server = await startServer(parsed, createLogger(parsed, options.logTo), database);
  let stopped = false;
  const session = (opts: Partial<CreateClientOptions> = {}) => {
    let stored: AuthTokens | null = null;
    const api = createClient({
      url: server.url,
      getAccessToken: () => stored?.accessToken,
      getRefreshToken: () => stored?.refreshToken,
      onTokens: (t) => {
        stored = t;
      },
      ...opts,
    });
    return { api, tokens: () => stored };
  };
  return {
    url: server.url,
    server,
    database,
    client: (opts = {}) => session(opts).api,
    session,
    async settle() {
      await server.runtime.services.chat.drain();
      await server.runtime.jobs.idle();
    },
    async runJob(name) {
      await server.runtime.jobs.send(name, {});
      await server.runtime.jobs.idle();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop(); // closes the database too
    },
  };
}

export const uniqueEmail = (prefix = "user") => `${prefix}.${randomBytes(5).toString("hex")}@example.com`;
