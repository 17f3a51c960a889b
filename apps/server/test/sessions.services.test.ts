/**
 * Session revocation across server instances on one Postgres (docs/auth.md#revocation): a logout
 * through server A refuses the session's access token on server B within moments (NOTIFY), and a
 * revocation committed while B's listening connection is down is found by B's reload after it
 * LISTENs again. Two servers in this process, each with its own pool, LISTEN connection and set.
 *
 * Needs TEST_DATABASE_URL (a real Postgres); fails loudly without it.
 */
import { randomBytes } from "node:crypto";
import { revokeSessions } from "@companion/auth";
import { createClient, errorCode } from "@companion/client";
import { openDatabase, type DatabaseHandle } from "@companion/db";
import { openTestPostgres, postgresEnvFor } from "@companion/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger, parseEnv, startServer, type RunningServer } from "../src/index.ts";
import { uniqueEmail } from "./harness.ts";

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) throw new Error("sessions.services.test.ts needs TEST_DATABASE_URL (a real Postgres)");

const dbName = `companion_sess_${randomBytes(5).toString("hex")}`;
const dbEnv = postgresEnvFor(dbName, adminUrl);
const jwtSecret = randomBytes(32).toString("base64url");

let admin: DatabaseHandle;
let observer: DatabaseHandle;
let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
  admin = await openDatabase({ kind: "postgres", url: adminUrl, poolSize: 1 });
  await admin.db.execute(sql.raw(`create database "${dbName}"`));
  observer = await openTestPostgres(dbName, { poolSize: 1, adminUrl });
  await observer.migrate();
  const env = parseEnv({ NODE_ENV: "test", PORT: "0", LOG_LEVEL: "silent", JWT_SECRET: jwtSecret, ...dbEnv, DB_POOL_SIZE: "3" });
  a = await startServer(env, createLogger(env));
  b = await startServer(env, createLogger(env));
}, 90_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await observer?.close();
  await admin?.db.execute(sql.raw(`drop database if exists "${dbName}" with (force)`));
  await admin?.close();
});

/** Resolves to the error code of `auth.me` with this token on `server`, or "OK". */
async function meOn(server: RunningServer, accessToken: string): Promise<string> {
  try {
    await createClient({ url: server.url, getAccessToken: () => accessToken }).auth.me.query();
    return "OK";
  } catch (err) {
    return errorCode(err) ?? String(err);
  }
}

async function signedIn() {
  const email = uniqueEmail("cross-session");
  const onA = createClient({ url: a.url });
  const { user, tokens } = await onA.auth.register.mutate({ email, password: "password-1234", displayName: "Cross" });
  return { email, user, tokens, onA };
}

/** Backends of this database currently LISTENing. */
async function listeningBackends(): Promise<number[]> {
  const rows = await observer.db
    .select({ pid: sql`pid`.mapWith(Number) })
    .from(sql`pg_stat_activity`)
    .where(sql`datname = ${dbName} and query ilike 'listen %' and pid <> pg_backend_pid()`);
  return rows.map((r) => r.pid);
}

describe("session revocation across two servers on one Postgres", () => {
  it("a logout on A refuses the session's access token on B within moments", async () => {
    const { tokens, onA } = await signedIn();
    expect(await meOn(b, tokens.accessToken)).toBe("OK");
    await onA.auth.logout.mutate({ refreshToken: tokens.refreshToken });
    expect(await meOn(a, tokens.accessToken)).toBe("UNAUTHORIZED");
    const started = performance.now();
    await vi.waitFor(async () => expect(await meOn(b, tokens.accessToken)).toBe("UNAUTHORIZED"), { timeout: 2000, interval: 20 });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("a revocation committed while B does not listen is found when B listens again", async () => {
    const { user, tokens } = await signedIn();
    expect(await meOn(b, tokens.accessToken)).toBe("OK");
    const killed = await listeningBackends();
    expect(killed.length).toBeGreaterThanOrEqual(2);
    // Kill every listening connection and revoke in the same transaction: its NOTIFY reaches nobody.
    await observer.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_terminate_backend(pid) from unnest(${sql.param(killed)}::int[]) as pid`);
      await revokeSessions(tx, { id: user.id });
    });
    // Each server reconnects on its own backoff: wait for both, not for B and then A at once (CI caught A still reconnecting).
    await vi.waitFor(async () => expect(await meOn(b, tokens.accessToken)).toBe("UNAUTHORIZED"), { timeout: 10_000, interval: 50 });
    await vi.waitFor(async () => expect(await meOn(a, tokens.accessToken)).toBe("UNAUTHORIZED"), { timeout: 10_000, interval: 50 });
  }, 25_000);
});
