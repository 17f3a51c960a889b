import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jwtKeyFromSecret, parseJwtKeys, type JwtKey } from "@companion/auth";
import type { Env } from "./env.ts";

export interface Secrets {
  jwtKeys: JwtKey[];
  /** HMAC key that derives a rotated refresh token from its parent. */
  refreshPepper: Uint8Array;
  /** Set when a development key was generated (or reused) under the data dir. */
  generatedKeyPath: string | null;
}

/**
 * JWT keys from JWT_KEYS / JWT_SECRET; outside production, a key is generated once and
 * kept under the data dir so sessions survive restarts. Production without a secret is
 * already rejected by env.ts.
 */
export function loadSecrets(env: Env): Secrets {
  if (env.JWT_KEYS) {
    const jwtKeys = parseJwtKeys(env.JWT_KEYS);
    return { jwtKeys, refreshPepper: derivePepper(jwtKeys), generatedKeyPath: null };
  }
  if (env.JWT_SECRET) {
    const jwtKeys = [jwtKeyFromSecret(env.JWT_SECRET)];
    return { jwtKeys, refreshPepper: derivePepper(jwtKeys), generatedKeyPath: null };
  }
  const path = join(env.dataDir, "dev-jwt-secret");
  let secret: string;
  try {
    secret = readFileSync(path, "utf8").trim();
  } catch {
    mkdirSync(env.dataDir, { recursive: true });
    secret = randomBytes(48).toString("base64url");
    writeFileSync(path, secret + "\n", { mode: 0o600 });
  }
  const jwtKeys = [jwtKeyFromSecret(secret, "dev")];
  return { jwtKeys, refreshPepper: derivePepper(jwtKeys), generatedKeyPath: path };
}

/** Refresh-token pepper, domain-separated from the signing key: HMAC(signing key, label). */
function derivePepper(keys: JwtKey[]): Uint8Array {
  const first = keys[0];
  if (!first) throw new Error("No JWT keys configured");
  return new Uint8Array(createHmac("sha256", first.secret).update("companion refresh-token pepper").digest());
}
