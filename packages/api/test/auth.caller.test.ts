import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { TRPCError, type inferProcedureInput } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContextFromToken, createContextInner, type AppServices } from "../src/context.ts";
import { createCallerServices } from "./caller-services.ts";
import { createCaller, type AppRouter } from "../src/root.ts";

let db: TestDatabase;
let services: AppServices;
beforeAll(async () => {
  db = await createTestDatabase();
  services = await createCallerServices(db);
});
afterAll(async () => {
  await services.eventHub.close();
  await services.jobs.stop();
  await db.close();
});

const anonymous = () => createCaller(createContextInner({ services }));

describe("auth router through createCaller (no HTTP)", () => {
  it("registers and reads the user back with the issued token", async () => {
    const input: inferProcedureInput<AppRouter["auth"]["register"]> = { email: "caller@example.com", password: "password-1234", displayName: "Caller" };
    const session = await anonymous().auth.register(input);
    const authed = createCaller(await createContextFromToken(services, session.tokens.accessToken, {}));
    await expect(authed.auth.me()).resolves.toMatchObject({ email: "caller@example.com", displayName: "Caller" });
  });

  it("maps domain errors to tRPC codes (CONFLICT on a taken email)", async () => {
    await anonymous().auth.register({ email: "dup@example.com", password: "password-1234", displayName: "D" });
    const err = await anonymous()
      .auth.register({ email: "DUP@example.com", password: "password-1234", displayName: "D" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("CONFLICT");
  });

  it("protected procedures say why a token was refused", async () => {
    const ctx = await createContextFromToken(services, "garbage", {});
    const err = await createCaller(ctx).auth.me().catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe("UNAUTHORIZED");
    expect((err as TRPCError).message).toMatch(/invalid|expired/i);
    const none = await anonymous().auth.me().catch((e: unknown) => e);
    expect((none as TRPCError).message).toBe("Sign in required");
  });

  it("validates input with zod before any service runs", async () => {
    const err = await anonymous()
      .auth.login({ email: "nope", password: "" })
      .catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
  });
});
