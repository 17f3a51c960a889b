import { randomBytes } from "node:crypto";
import argon2 from "argon2";

/**
 * argon2id at the OWASP baseline (19 MiB, 2 passes, 1 lane): about 50 ms per hash here.
 * Stored hashes made with other parameters are upgraded on the next successful login.
 */
export const ARGON2_PARAMS = Object.freeze({
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

/** Password policy, in Unicode code points. The upper bound caps the cost of hashing attacker input. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function passwordLength(password: string): number {
  return [...password].length;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_PARAMS);
}

/**
 * Checks `password` against a stored encoded hash. `needsRehash` reports that the hash was
 * made with parameters other than ARGON2_PARAMS, so the caller can store a fresh hash.
 */
export async function verifyPassword(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }> {
  const ok = await argon2.verify(hash, password);
  return { ok, needsRehash: argon2.needsRehash(hash, ARGON2_PARAMS) };
}

let dummyHash: Promise<string> | undefined;

/**
 * Burns the same time as a real verification, for logins with an unknown email, so response
 * time does not reveal which emails have accounts. The dummy hash is made on first use.
 */
export async function dummyVerify(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(32).toString("base64url")).catch((err: unknown) => {
    // Do not cache a failure: the next call tries again.
    dummyHash = undefined;
    throw err;
  });
  await argon2.verify(await dummyHash, password);
}

/** The form emails are stored and looked up in (the unique index is on this form). */
export function normalizeEmail(email: string): string {
  return email.normalize("NFKC").trim().toLowerCase();
}
