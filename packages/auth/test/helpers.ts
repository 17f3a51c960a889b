import { randomBytes, randomUUID } from "node:crypto";
import type { Database } from "@companion/db";
import { createAccessTokenService } from "../src/tokens.ts";
import { createAuthService, type AuthServiceDeps } from "../src/service.ts";

export const META = { ip: "203.0.113.7", userAgent: "vitest" };
export const PASSWORD = "correct horse battery";

/** A clock the test moves by hand; the service and token verifier both read it. */
export class Clock {
  private t = Date.now();
  readonly now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}

export const uniqueEmail = (): string => `user-${randomUUID()}@example.com`;

export function makeAuth(db: Database, options: Partial<Omit<AuthServiceDeps, "db" | "tokens" | "now">> & { clock?: Clock } = {}) {
  const clock = options.clock ?? new Clock();
  const tokens = createAccessTokenService({
    keys: [{ kid: "test", secret: new Uint8Array(randomBytes(32)) }],
    issuer: "companion-test",
    audience: "companion-test-api",
    now: clock.now,
  });
  const auth = createAuthService({ refreshPepper: new Uint8Array(randomBytes(32)), ...options, db, tokens, now: clock.now });
  return { auth, tokens, clock };
}

/** Resolves to the rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
}
