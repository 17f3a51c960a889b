/**
 * `serializeError` on the errors the drivers really throw (PGlite, and postgres.js on the
 * Postgres project): what a failed statement carried must not come out, what names the
 * failure must.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { describeError, serializeError } from "./error-log.ts";
import { insertUser } from "./queries/users.ts";
import { createTestDatabase, type TestDatabase } from "./testing/index.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the statement to fail");
}

const HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

describe("serializeError", () => {
  it("keeps SQL, code and constraint of a failed insert, never its parameters or the row values", async () => {
    await insertUser(handle.db, { email: "first@example.com", passwordHash: HASH, displayName: "First" });
    const err = await failure(insertUser(handle.db, { email: "first@example.com", passwordHash: HASH, displayName: "Secret Name" }));
    // The raw error holds them (drizzle's message, under the CONFLICT): what this guards against.
    expect((err as Error & { cause: Error }).cause.message).toContain(HASH);

    const out = serializeError(err);
    const text = JSON.stringify(out) + describeError(err);
    for (const secret of ["first@example.com", HASH, "Secret Name", "argon2id"]) expect(text).not.toContain(secret);
    expect(JSON.stringify(out)).toContain('insert into \\"users\\"');
    expect(JSON.stringify(out)).toContain("23505");
    expect(JSON.stringify(out)).toMatch(/users_email_key/);
    expect(out.stack).toMatch(/\n\s+at /);
  });

  it("drops a NUL-laden value Postgres refuses, and the quoted input Postgres repeats in its message", async () => {
    const nul = await failure(insertUser(handle.db, { email: "nul@example.com", passwordHash: HASH, displayName: "a\u0000b" }));
    expect(JSON.stringify(serializeError(nul))).not.toMatch(/nul@example\.com|argon2id|a\\u0000b/);

    const cast = await failure(handle.db.execute(sql`select ${"not-a-uuid-but-a-secret"}::uuid`));
    const out = JSON.stringify(serializeError(cast)) + describeError(cast);
    expect(out).not.toContain("not-a-uuid-but-a-secret");
    expect(out).toContain("22P02");
  });

  it("keeps only named fields of an error, recursing into causes and AggregateError's errors", () => {
    // postgres.js in debug mode makes these enumerable; pino's own serializer would print them.
    const driver = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: "23505",
      constraint_name: "users_email_key",
      detail: "Key (email)=(leak@example.com) already exists.",
      where: "unnamed portal parameter $1 = 'leak@example.com'",
      parameters: ["leak@example.com", HASH],
      query: "insert into users (email, password_hash) values ($1, $2)",
    });
    const wrapper = new Error(`Failed query: insert\nparams: leak@example.com,${HASH}`, { cause: driver });
    const aggregate = new AggregateError([Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED", port: 5432 })], "boom");
    const out = JSON.stringify([serializeError(wrapper), serializeError(aggregate)]);
    expect(out).not.toContain("leak@example.com");
    expect(out).not.toContain("argon2id");
    expect(out).toContain("users_email_key");
    expect(out).toContain("insert into users (email, password_hash) values ($1, $2)");
    expect(out).toContain("ECONNREFUSED");
  });
});
