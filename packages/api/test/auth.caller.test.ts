import { randomBytes, randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAccessTokenService, createAuthService, jwtKeyFromSecret } from "@companion/auth";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { createRateLimits } from "@companion/ratelimit";
import { createLocalStorage } from "@companion/storage";
import { TRPCError, type inferProcedureInput } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContextFromToken, createContextInner, type AppServices } from "../src/context.ts";
import { startEventHub } from "../src/realtime/hub.ts";
import { createChatService } from "../src/services/chat.ts";
import { createMediaService } from "../src/services/media.ts";
import { createCaller, type AppRouter } from "../src/root.ts";

let db: TestDatabase;
let services: AppServices;
beforeAll(async () => {
  db = await createTestDatabase();
  const secret = randomBytes(32).toString("base64url");
  services = {
    db: db.db,
    dbKind: db.kind,
    eventHub: await startEventHub({ listen: db.listen }),
    chat: createChatService({ db: db.db, owner: randomUUID() }),
    closing: new AbortController().signal,
    rateLimits: createRateLimits(),
    // Nothing is uploaded here; the directory is only created on a first write.
    media: createMediaService({ storage: createLocalStorage({ dir: join(tmpdir(), "companion-caller-media"), signingKey: randomBytes(32) }) }),
    auth: createAuthService({
      db: db.db,
      tokens: createAccessTokenService({ keys: [jwtKeyFromSecret(secret)], issuer: "companion", audience: "companion-app" }),
      refreshPepper: randomBytes(32),
    }),
  };
});
afterAll(async () => {
  await services.eventHub.close();
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
