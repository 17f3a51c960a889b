import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "./schema/index.ts";
import { createTestDatabase, type TestDatabase } from "./testing/index.ts";
import { withUser } from "./transaction.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

const currentUserSetting = async (db: TestDatabase["db"]) => {
  const rows = await db
    .select({ value: sql<string | null>`nullif(current_setting('app.current_user_id', true), '')` })
    .from(sql`(select 1) as one`);
  return rows[0]?.value ?? null;
};

describe("database client", () => {
  it("starts from the migrated template", async () => {
    await handle.ping();
    const [row] = await handle.db.insert(users).values({ email: "a@example.com", passwordHash: "x", displayName: "A" }).returning({ id: users.id });
    expect(row?.id).toMatch(/^[0-9a-f-]{36}$/);
    const found = await handle.db.select({ email: users.email }).from(users).where(eq(users.id, row!.id));
    expect(found).toEqual([{ email: "a@example.com" }]);
  });

  it("withUser sets app.current_user_id for the transaction only", async () => {
    const id = "00000000-0000-4000-8000-000000000001";
    const inside = await withUser(handle.db, id, (tx) => currentUserSetting(tx));
    expect(inside).toBe(id);
    expect(await currentUserSetting(handle.db)).toBeNull();
  });

  it("withUser rolls back everything when fn throws", async () => {
    const email = "rollback@example.com";
    // Under RLS the scoped user may only write its own row, so the id must match.
    const id = "00000000-0000-4000-8000-000000000002";
    await expect(
      withUser(handle.db, id, async (tx) => {
        await tx.insert(users).values({ id, email, passwordHash: "x", displayName: "R" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const found = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    expect(found).toHaveLength(0);
  });

  it("cursor columns keep millisecond precision (timestamptz(3))", async () => {
    const rows = await handle.db.execute(sql`
      select data_type, datetime_precision from information_schema.columns
      where table_name in ('messages','stories','memories') and column_name = 'created_at'`);
    const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { datetime_precision: number }[];
    expect(list).toHaveLength(3);
    for (const r of list) expect(Number(r.datetime_precision)).toBe(3);
  });
});

