/**
 * What the server logs when statements fail, read from its real log output. The test makes
 * its own database refuse some values (CHECK constraints only this file's database has),
 * so that a register, a chat message, a memory and an upload fail inside Postgres after
 * validation passed, the way an unforeseen database error would. Then no log line may hold
 * what those statements carried: the email, the password or its argon2 hash, message and
 * memory text, tokens, or anything else from a request body; the lines still name the
 * request (reqId), the SQL and the Postgres code and constraint, for the operator.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { users } from "@companion/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";
import { codeOf, createCompanion } from "./story-fixtures.ts";

const lines: string[] = [];
let t: TestServer;
let mediaDir: string;
const canary = `canary${randomBytes(6).toString("hex")}`;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), "companion-errlog-"));
  t = await startTestServer({ LOG_LEVEL: "debug", MEDIA_DIR: mediaDir }, { logTo: { write: (line: string) => void lines.push(line) } });
  const db = t.database.db;
  await db.execute(sql`alter table users add constraint test_refused_name check (display_name not like 'Refused%')`);
  await db.execute(sql`alter table messages add constraint test_refused_message check (position('refused' in content) = 0)`);
  await db.execute(sql`alter table memories add constraint test_refused_memory check (position('refused' in content) = 0)`);
  await db.execute(sql`alter table media_uploads add constraint test_refused_upload check (uploaded_at is null)`);
});
afterAll(async () => {
  await t.stop();
  await rm(mediaDir, { recursive: true, force: true });
});

type Entry = { msg?: string; reqId?: string; err?: Record<string, unknown> & { cause?: Record<string, unknown> } };
const entries = (): Entry[] => lines.map((l) => JSON.parse(l) as Entry);
const failures = (reqId: string) => entries().filter((e) => e.reqId === reqId && e.err);

describe("error logs", () => {
  it("log failed statements with reqId, SQL and Postgres code, but no parameters, secrets or message text", async () => {
    // Signed in as someone the database accepts; every secret of the session is a canary too.
    const email = uniqueEmail("errlog");
    const password = `pw-${canary}-secret`;
    const { api, tokens } = t.session({ headers: { "x-request-id": "errlog-setup" } });
    await api.auth.register.mutate({ email, password, displayName: "Accepted" });
    const companionId = await createCompanion(t.database.db, "Logged");
    await api.companions.connect.mutate({ companionId });
    // A successful call carries text too, logged at no level.
    await api.memories.create.mutate({ companionId, content: `kept ${canary} memory` });

    const refusedEmail = uniqueEmail(`refused${canary}`);
    const refused = t.session({ headers: { "x-request-id": "errlog-register" } }).api;
    expect(await codeOf(refused.auth.register.mutate({ email: refusedEmail, password, displayName: `Refused ${canary}` }))).toBe("INTERNAL_SERVER_ERROR");
    const chat = t.session({ headers: { "x-request-id": "errlog-message" } });
    const { api: chatApi } = chat;
    await chatApi.auth.login.mutate({ email, password });
    const content = `refused message ${canary}`;
    expect(await codeOf(chatApi.messages.send.mutate({ companionId, content, idempotencyKey: `key-${canary}` }))).toBe("INTERNAL_SERVER_ERROR");
    expect(await codeOf(chatApi.memories.create.mutate({ companionId, content: `refused memory ${canary}` }))).toBe("INTERNAL_SERVER_ERROR");

    // An upload fails outside tRPC (the PUT route), logged as an unhandled request error.
    const upload = await api.media.createUpload.mutate({ contentType: "image/png", byteSize: 4, fileName: `${canary}.png` });
    const put = await fetch(new URL(upload.uploadUrl, t.url), {
      method: "PUT",
      headers: { ...upload.headers, "x-request-id": "errlog-upload" },
      body: new Uint8Array([1, 2, 3, 4]),
    });
    expect(put.status).toBe(500);

    const [row] = await t.database.db.select({ hash: users.passwordHash }).from(users).where(eq(users.email, email));
    const log = lines.join("");
    const session = tokens();
    const secrets = [email, refusedEmail, password, row?.hash, "$argon2id$", canary, session?.accessToken, session?.refreshToken, chat.tokens()?.accessToken];
    for (const secret of secrets) {
      expect(secret, "a secret the test knows").toBeTruthy();
      expect(log.includes(String(secret)), `log holds ${String(secret).slice(0, 24)}…`).toBe(false);
    }

    const [register] = failures("errlog-register");
    expect(register).toMatchObject({ msg: "procedure failed", err: { query: expect.stringContaining('insert into "users"') } });
    expect(JSON.stringify(register?.err)).toContain("test_refused_name");
    expect(JSON.stringify(register?.err)).toContain("23514");
    expect(failures("errlog-message")).toEqual(
      expect.arrayContaining([expect.objectContaining({ msg: "procedure failed", err: expect.objectContaining({ query: expect.stringMatching(/insert into "?messages"?/) }) })]),
    );
    expect(failures("errlog-upload")).toEqual([expect.objectContaining({ msg: "unhandled request error" })]);
    expect(JSON.stringify(failures("errlog-upload"))).toContain("test_refused_upload");
  });
});
