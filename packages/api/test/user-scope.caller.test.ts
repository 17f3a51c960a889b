import { followUser, insertUser, listFollowEdges, notFound, withUser } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createContextInner, type AppServices } from "../src/context.ts";
import { createCallerServices } from "./caller-services.ts";
import { createCallerFactory, router, userProcedure } from "../src/trpc.ts";

let db: TestDatabase;
let services: AppServices;
let me: string;
let other: string;
beforeAll(async () => {
  db = await createTestDatabase();
  services = await createCallerServices(db);
  me = (await insertUser(db.db, { email: "scope-me@example.com", passwordHash: "x", displayName: "Me" })).id;
  other = (await insertUser(db.db, { email: "scope-other@example.com", passwordHash: "x", displayName: "Other" })).id;
});
afterAll(async () => {
  await services.eventHub.close();
  await services.jobs.stop();
  await db.close();
});

// Procedures that write through `ctx.db` and then fail, each its own way.
const testRouter = router({
  whoAmI: userProcedure.query(async ({ ctx }) => {
    const [row] = await ctx.db.select({ uid: sql<string>`current_setting('app.current_user_id', true)` }).from(sql`(select 1) as one`);
    return row?.uid ?? null;
  }),
  followThenFail: userProcedure.mutation(async ({ ctx }) => {
    await followUser(ctx.db, { userId: ctx.user.id, targetId: other });
    throw notFound("Thing");
  }),
  followThenBadOutput: userProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await followUser(ctx.db, { userId: ctx.user.id, targetId: other });
    return { ok: false } as unknown as { ok: true };
  }),
  follow: userProcedure.mutation(async ({ ctx }) => {
    await followUser(ctx.db, { userId: ctx.user.id, targetId: other });
    return { ok: true };
  }),
});
const caller = () => createCallerFactory(testRouter)(createContextInner({ services, user: { id: me, sessionId: "s", role: "user" } }));
const following = async () => (await withUser(db.db, me, (tx) => listFollowEdges(tx, { subjectId: me, direction: "following", limit: 10 }))).items;

describe("userProcedure", () => {
  it("runs the procedure in my user scope", async () => {
    await expect(caller().whoAmI()).resolves.toBe(me);
  });

  it("maps a domain error thrown inside the scope and rolls the scope back", async () => {
    const err = await caller().followThenFail().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("NOT_FOUND");
    expect(await following()).toEqual([]);
  });

  it("rolls back when the output does not validate", async () => {
    const err = await caller().followThenBadOutput().catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe("INTERNAL_SERVER_ERROR");
    expect(await following()).toEqual([]);
  });

  it("commits a call that succeeds", async () => {
    await caller().follow();
    expect((await following()).map((e) => e.user.id)).toEqual([other]);
  });

  it("refuses an anonymous caller", async () => {
    const anonymous = createCallerFactory(testRouter)(createContextInner({ services }));
    await expect(anonymous.whoAmI()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
