/**
 * Fan-out across server processes: two servers on the same real Postgres, each with its
 * own pool, hub and LISTEN connection. Server 2 is a real OS process (the server binary);
 * server 1 runs in this process. An event raised through server 1 reaches a subscriber
 * connected to server 2, also after server 2's listening connection was killed.
 *
 * Needs TEST_DATABASE_URL (CI sets it): PGlite is one process, so there is nothing to fan
 * out to. It fails, loudly, without it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createClient } from "@companion/client";
import { createNotification, openDatabase, type DatabaseHandle } from "@companion/db";
import { openTestPostgres, postgresEnvFor } from "@companion/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, parseEnv, startServer, type RunningServer } from "../src/index.ts";
import { uniqueEmail } from "./harness.ts";
import { recordEvents, settle } from "./realtime-client.ts";

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) {
  throw new Error("realtime.services.test.ts needs TEST_DATABASE_URL (a real Postgres): cross-process fan-out cannot be tested on PGlite");
}

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const dbName = `companion_rt_${randomBytes(5).toString("hex")}`;
const dbEnv = postgresEnvFor(dbName, adminUrl);
const jwtSecret = randomBytes(32).toString("base64url");

let admin: DatabaseHandle;
let observer: DatabaseHandle;
let server1: RunningServer;
let child: ChildProcess | undefined;
let server2Url: string;

function spawnServer(): Promise<string> {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, ...dbEnv, JWT_SECRET: jwtSecret, PORT: "0", LOG_LEVEL: "info", NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  let output = "";
  proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server 2 did not listen within 60 s:\n${output}`)), 60_000);
    const poll = setInterval(() => {
      const m = /"url":"(http:[^"]+)"/.exec(output);
      if (m?.[1] || proc.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        if (m?.[1]) resolve(m[1]);
        else reject(new Error(`server 2 exited (${proc.exitCode}):\n${output}`));
      }
    }, 50);
  });
}

/** Backends of this test database currently LISTENing (one per server process). */
async function listeningBackends(): Promise<number[]> {
  const rows = await observer.db
    .select({ pid: sql`pid`.mapWith(Number) })
    .from(sql`pg_stat_activity`)
    .where(sql`datname = ${dbName} and query ilike 'listen %' and pid <> pg_backend_pid()`);
  return rows.map((r) => r.pid);
}

beforeAll(async () => {
  admin = await openDatabase({ kind: "postgres", url: adminUrl, poolSize: 1 });
  await admin.db.execute(sql.raw(`create database "${dbName}"`));
  observer = await openTestPostgres(dbName, { poolSize: 1, adminUrl });
  await observer.migrate();
  const env = parseEnv({ NODE_ENV: "test", PORT: "0", LOG_LEVEL: "silent", JWT_SECRET: jwtSecret, ...dbEnv, DB_POOL_SIZE: "3" });
  [server1, server2Url] = await Promise.all([startServer(env, createLogger(env)), spawnServer()]);
}, 90_000);

afterAll(async () => {
  await server1?.stop();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  await observer?.close();
  await admin?.db.execute(sql.raw(`drop database if exists "${dbName}" with (force)`));
  await admin?.close();
});

describe("realtime fan-out across two server processes on one Postgres", () => {
  it("delivers an event raised through server 1 to subscribers on server 2 and server 1", async () => {
    expect(await settle(listeningBackends, (pids) => pids.length === 2)).toHaveLength(2);

    // Sign up through server 1; the same token works on server 2 (same JWT secret).
    let token: string | undefined;
    const on1 = createClient({ url: server1.url, getAccessToken: () => token, onTokens: (t) => void (token = t?.accessToken) });
    const { user } = await on1.auth.register.mutate({ email: uniqueEmail("Cross"), password: "password-1234", displayName: "Cross" });
    const on2 = createClient({ url: server2Url, getAccessToken: () => token });

    const remote = recordEvents(on2);
    const local = recordEvents(on1);
    await Promise.all([remote.started, local.started]);

    const raised = [];
    for (let i = 1; i <= 3; i++) raised.push(await createNotification(server1.runtime.services.db, { userId: user.id, kind: "cross", payload: { i } }));
    const ids = raised.map((r) => String(r?.eventId));
    expect((await remote.waitFor(3)).map((e) => e.id)).toEqual(ids);
    expect((await local.waitFor(3)).map((e) => e.id)).toEqual(ids);

    // Kill both listening connections and raise an event in the same transaction, so its
    // NOTIFY goes out while nobody listens: only the hubs' re-read after re-LISTEN finds it.
    const killed = await listeningBackends();
    const during = await observer.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_terminate_backend(pid) from unnest(${sql.param(killed)}::int[]) as pid`);
      return createNotification(tx, { userId: user.id, kind: "cross", payload: { i: 4 } });
    });
    expect((await remote.waitFor(4)).map((e) => e.id)).toEqual([...ids, String(during?.eventId)]);
    expect((await local.waitFor(4)).map((e) => e.id)).toEqual([...ids, String(during?.eventId)]);
    const relistened = await settle(listeningBackends, (pids) => pids.length === 2 && pids.every((p) => !killed.includes(p)));
    expect(relistened).toHaveLength(2);

    const after = await createNotification(server1.runtime.services.db, { userId: user.id, kind: "cross", payload: { i: 5 } });
    expect((await remote.waitFor(5)).at(-1)?.id).toBe(String(after?.eventId));
    await new Promise((r) => setTimeout(r, 200));
    expect(remote.received).toHaveLength(5);
    remote.unsubscribe();
    local.unsubscribe();
    expect(remote.errors).toEqual([]);
  }, 60_000);
});
