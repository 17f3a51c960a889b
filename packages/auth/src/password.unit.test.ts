import argon2 from "argon2";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ARGON2_PARAMS, dummyVerify, hashPassword, normalizeEmail, passwordLength, verifyPassword } from "./password.ts";

// argon2 writes the parameters as m,t,p or m,p,t depending on the version: check each, not the order.
const ARGON2ID_DEFAULT_PARAMS = /^\$argon2id\$v=19\$(?=[^$]*\bm=19456\b)(?=[^$]*\bt=2\b)(?=[^$]*\bp=1\b)[mtp=0-9,]+\$/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("password hashing", () => {
  it("hashes with argon2id m=19456,t=2,p=1", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(ARGON2ID_DEFAULT_PARAMS);
    expect(ARGON2_PARAMS).toMatchObject({ type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it("verifies the right password and rejects a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword(hash, "correct horse battery")).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword(hash, "correct horse batterY")).ok).toBe(false);
  });

  it("flags a hash made with weaker parameters for rehash", async () => {
    const weak = await argon2.hash("correct horse battery", { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    expect(await verifyPassword(weak, "correct horse battery")).toEqual({ ok: true, needsRehash: true });
  });

  it("dummyVerify runs a real argon2 verification against one lazily made hash", async () => {
    const verify = vi.spyOn(argon2, "verify");
    await dummyVerify("whatever");
    await dummyVerify("something else");
    expect(verify).toHaveBeenCalledTimes(2);
    const [firstHash] = verify.mock.calls[0] ?? [];
    const [secondHash] = verify.mock.calls[1] ?? [];
    expect(firstHash).toMatch(ARGON2ID_DEFAULT_PARAMS);
    expect(secondHash).toBe(firstHash);
  });
});

describe("normalizeEmail", () => {
  it("trims, lower-cases and NFKC-normalizes", () => {
    expect(normalizeEmail("  Alice@EXAMPLE.com \n")).toBe("alice@example.com");
    // Full-width letters fold to ASCII under NFKC.
    expect(normalizeEmail("ＡＬＩＣＥ@example.com")).toBe("alice@example.com");
  });
});

describe("passwordLength", () => {
  it("counts code points, not UTF-16 units", () => {
    expect(passwordLength("😀".repeat(8))).toBe(8);
  });
});
