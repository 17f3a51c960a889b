import { insertOutboxMail } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOn } from "./helpers.ts";

let db: TestDatabase;
let cli: ReturnType<typeof cliOn>;
beforeAll(async () => {
  db = await createTestDatabase();
  cli = cliOn(db);
});
afterAll(async () => {
  await db.close();
});

describe("mail:outbox", () => {
  it("lists the development outbox, for one address with --to, as JSON with --json", async () => {
    expect(await cli("mail:outbox")).toMatchObject({ code: 0, out: "the outbox is empty" });
    await insertOutboxMail(db.db, { userId: null, toAddress: "ana@example.com", subject: "Reset your Companion password", body: "Open\nhttp://localhost:5173/reset-password?token=abc" });
    await insertOutboxMail(db.db, { userId: null, toAddress: "bob@example.com", subject: "Second", body: "Hello Bob" });

    const human = await cli("mail:outbox");
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/to ana@example\.com {2}Reset your Companion password\n {4}Open\n {4}http:\/\/localhost:5173\/reset-password\?token=abc/);
    expect(human.out).toMatch(/to bob@example\.com {2}Second\n {4}Hello Bob/);

    const json = await cli("mail:outbox", "--to", " Ana@Example.com ", "--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual([
      { id: expect.any(String), userId: null, toAddress: "ana@example.com", subject: "Reset your Companion password", body: expect.stringContaining("token=abc"), createdAt: expect.any(String) },
    ]);
    expect((await cli("mail:outbox", "--to", "not-an-email")).code).not.toBe(0);
  });
});
