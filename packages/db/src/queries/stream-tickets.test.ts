import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/index.ts";
import { pruneUsedStreamTickets, redeemStreamTicket } from "./stream-tickets.ts";
import { insertUser } from "./users.ts";

let db: TestDatabase;
let userId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  userId = (await insertUser(db.db, { email: `tickets-${randomUUID()}@example.com`, passwordHash: "x", displayName: "T" })).id;
});
afterAll(async () => {
  await db?.close();
});

describe("used stream tickets", () => {
  it("redeems a ticket id once, even when redeemed concurrently", async () => {
    const ticket = { jti: randomUUID(), userId, expiresAt: new Date(Date.now() + 60_000) };
    const results = await Promise.all(Array.from({ length: 5 }, () => redeemStreamTicket(db.db, ticket)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await redeemStreamTicket(db.db, ticket)).toBe(false);
  });

  it("prunes the ones that expired before the cut, and only those", async () => {
    const expired = { jti: randomUUID(), userId, expiresAt: new Date(Date.now() - 120_000) };
    const live = { jti: randomUUID(), userId, expiresAt: new Date(Date.now() + 60_000) };
    await redeemStreamTicket(db.db, expired);
    await redeemStreamTicket(db.db, live);
    expect(await pruneUsedStreamTickets(db.db, { before: new Date(Date.now() - 60_000) })).toBe(1);
    expect(await redeemStreamTicket(db.db, live)).toBe(false);
    // Pruned, the id could be recorded again; the ticket's signature has expired by then.
    expect(await redeemStreamTicket(db.db, expired)).toBe(true);
  });
});
