/**
 * The crash of defect 15, for real: a server process on Postgres saves my message, its
 * provider hangs, and the process is killed (SIGKILL: no shutdown, its lease stays until
 * it lapses). A retry with the same key on another server gets its reply within the
 * request timeout, instead of being held until a 90-second orphan takeover.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createFakeOpenAIServer, FAKE_REPLY } from "@companion/ai/testing";
import { createClient } from "@companion/client";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, storedMessages, waitFor } from "./chat-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

const REQUEST_TIMEOUT_MS = 30_000;
const serverDir = fileURLToPath(new URL("..", import.meta.url));
const jwtSecret = randomBytes(32).toString("base64url");
const fake = createFakeOpenAIServer({ mode: "hang" });
let fakeUrl: string;
let closeFake: () => Promise<void>;
let database: TestDatabase;
let first: ChildProcess | undefined;
let second: TestServer | undefined;
let output = "";

beforeAll(async () => {
  ({ url: fakeUrl, close: closeFake } = await fake.start());
  database = await createTestDatabase();
  if (Object.keys(database.env).length === 0) throw new Error("chat-crash.services.test.ts needs a real Postgres (TEST_BACKEND=postgres)");
});
afterAll(async () => {
  if (first && first.exitCode === null) first.kill("SIGKILL");
  // The second server closes the database with itself; without it, close it here.
  if (second) await second.stop();
  else await database?.close();
  await closeFake?.();
});

describe("a server killed mid-reply", () => {
  it("a retry on another server answers within the request timeout", async () => {
    first = spawn(process.execPath, ["src/main.ts"], {
      cwd: serverDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        ...database.env,
        PORT: "0",
        LOG_LEVEL: "info",
        JWT_SECRET: jwtSecret,
        OPENAI_API_KEY: "test-key",
        OPENAI_BASE_URL: fakeUrl,
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    first.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    first.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    await waitFor(() => /"msg":"listening"/.test(output) || first?.exitCode !== null, 60_000);
    const url = /"url":"(http:[^"]+)"/.exec(output)?.[1];
    if (!url) throw new Error(`the first server did not start:\n${output}`);

    let token: string | undefined;
    const onTokens = (t: { accessToken: string } | null) => void (token = t?.accessToken);
    const a = createClient({ url, getAccessToken: () => token, onTokens });
    const { user } = await a.auth.register.mutate({ email: uniqueEmail("crash"), password: "password-1234", displayName: "Crash" });
    const companion = await createCompanion(database.db);
    await a.companions.connect.mutate({ companionId: companion.id });

    const input = { companionId: companion.id, content: "Are you still there?", idempotencyKey: newKey() };
    const lost = a.messages.send.mutate(input).catch((err: unknown) => err);
    // The message is saved and the model call hangs: then the process dies.
    await waitFor(async () => fake.requestCount > 0 && (await storedMessages(database.db, user.id, companion.id)).length === 1, 10_000);
    const exited = new Promise((r) => first?.once("exit", r));
    first.kill("SIGKILL");
    await exited;
    expect(await lost).toBeInstanceOf(Error);

    fake.setBehavior({ mode: "ok" });
    second = await startTestServer({ JWT_SECRET: jwtSecret, OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fakeUrl }, { database });
    const b = createClient({ url: second.url, getAccessToken: () => token, onTokens });
    const started = Date.now();
    const exchange = await b.messages.send.mutate(input);
    const waited = Date.now() - started;
    expect(waited).toBeLessThan(REQUEST_TIMEOUT_MS);
    // The lease lapses 10 s after its last renewal at most.
    expect(waited).toBeLessThan(12_000);
    expect(exchange.reply).toMatchObject({ content: FAKE_REPLY, status: "complete", replyToId: exchange.userMessage.id });
    expect(await storedMessages(database.db, user.id, companion.id)).toHaveLength(2);
  }, 90_000);
});
