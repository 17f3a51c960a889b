/**
 * Login throttling that an attacker cannot turn against the owner (docs/auth.md#throttling),
 * over HTTP. The client IP is what the server derives from X-Forwarded-For with one trusted
 * proxy hop (TRUST_PROXY_HOPS=1), as behind a load balancer.
 */
import { errorCode, isTRPCClientError } from "@companion/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    TRUST_PROXY_HOPS: "1",
    LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: "3",
    LOGIN_MAX_FAILURES_PER_IP: "5",
    LOGIN_MAX_FAILURES_PER_ACCOUNT: "8",
    LOGIN_MAX_FAILURES_PER_DEVICE: "3",
  });
});
afterAll(async () => {
  await t.stop();
});

const PASSWORD = "correct horse battery";
let nextIp = 1;
/** A fresh client address for each caller, so tests do not share IP counters. */
const freshIp = () => `198.51.100.${nextIp++}`;
const from = (ip: string) => t.client({ headers: { "x-forwarded-for": ip } });

async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "OK";
  } catch (err) {
    if (isTRPCClientError(err)) return errorCode(err) ?? "?";
    throw err;
  }
}

async function owner() {
  const email = uniqueEmail("owner");
  const ownerIp = freshIp();
  const { deviceToken } = await from(ownerIp).auth.register.mutate({ email, password: PASSWORD, displayName: "Owner" });
  return { email, ownerIp, deviceToken };
}

describe("login throttling over HTTP", () => {
  it("an attacker on another IP is throttled while the owner still gets in, from their device and from a fresh IP", async () => {
    const { email, ownerIp, deviceToken } = await owner();
    const attacker = from(freshIp());
    const tries = [];
    for (let i = 0; i < 4; i++) tries.push(await outcome(() => attacker.auth.login.mutate({ email, password: `guess-${i}-guess` })));
    expect(tries).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "TOO_MANY_REQUESTS"]);
    // Even the right password is refused to the attacker's address now...
    expect(await outcome(() => attacker.auth.login.mutate({ email, password: PASSWORD }))).toBe("TOO_MANY_REQUESTS");
    // ...but not to the owner: with the device token, and without it from an address of their own.
    const back = await from(ownerIp).auth.login.mutate({ email, password: PASSWORD, deviceToken });
    expect(back.deviceToken).toEqual(expect.any(String));
    expect(await outcome(() => from(freshIp()).auth.login.mutate({ email, password: PASSWORD }))).toBe("OK");
  });

  it("guessing from many IPs hits the per-account cap, which the owner's device is not held to", async () => {
    const { email, ownerIp, deviceToken } = await owner();
    // 8 failures from 4 addresses, 2 each (under the per-(account, IP) limit of 3).
    for (let i = 0; i < 4; i++) {
      const ip = freshIp();
      for (let j = 0; j < 2; j++) expect(await outcome(() => from(ip).auth.login.mutate({ email, password: `spray-${i}-${j}-x` }))).toBe("UNAUTHORIZED");
    }
    expect(await outcome(() => from(freshIp()).auth.login.mutate({ email, password: PASSWORD }))).toBe("TOO_MANY_REQUESTS");
    expect(await outcome(() => from(ownerIp).auth.login.mutate({ email, password: PASSWORD, deviceToken }))).toBe("OK");
    // A device token of another account does not count: it is only valid for its own.
    const other = await owner();
    expect(await outcome(() => from(ownerIp).auth.login.mutate({ email, password: PASSWORD, deviceToken: other.deviceToken }))).toBe("TOO_MANY_REQUESTS");
  });

  it("an IP throttled for failures still lets in correct logins that present their device token (people behind one NAT)", async () => {
    const nat = freshIp();
    const alice = await owner();
    const bob = await owner();
    // Alice and Bob signed in from this NAT before (device tokens); a third person there sprays.
    const a = await from(nat).auth.login.mutate({ email: alice.email, password: PASSWORD, deviceToken: alice.deviceToken });
    for (let i = 0; i < 5; i++) await outcome(() => from(nat).auth.login.mutate({ email: uniqueEmail("nobody"), password: "whatever-wrong" }));
    expect(await outcome(() => from(nat).auth.login.mutate({ email: uniqueEmail("nobody"), password: "whatever-wrong" }))).toBe("TOO_MANY_REQUESTS");
    expect(await outcome(() => from(nat).auth.login.mutate({ email: alice.email, password: PASSWORD, deviceToken: a.deviceToken }))).toBe("OK");
    expect(await outcome(() => from(nat).auth.login.mutate({ email: bob.email, password: PASSWORD, deviceToken: bob.deviceToken }))).toBe("OK");
    // Without a device token, the IP's cap applies (weak spot, docs/auth.md#throttling).
    expect(await outcome(() => from(nat).auth.login.mutate({ email: bob.email, password: PASSWORD }))).toBe("TOO_MANY_REQUESTS");
  });

  it("a stolen device token cannot guess freely: it has its own limit", async () => {
    const { email, deviceToken } = await owner();
    const thief = from(freshIp());
    const tries = [];
    for (let i = 0; i < 4; i++) tries.push(await outcome(() => thief.auth.login.mutate({ email, password: `stolen-${i}-guess`, deviceToken })));
    expect(tries).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "TOO_MANY_REQUESTS"]);
  });

  it("successes are not throttled", async () => {
    const { email, ownerIp } = await owner();
    for (let i = 0; i < 8; i++) expect(await outcome(() => from(ownerIp).auth.login.mutate({ email, password: PASSWORD }))).toBe("OK");
  });
});
