import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jwtKeyFromSecret, parseJwtKeys, type JwtKey } from "@companion/auth";
import type { Env } from "./env.ts";

export interface Secrets {
  jwtKeys: JwtKey[];
  /** HMAC key that derives a rotated refresh token from its parent. */
  refreshPepper: Uint8Array;
  /** HMAC key for local media upload URLs (packages/storage). */
  mediaSigningKey: Uint8Array;
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
    return { jwtKeys, ...derivedKeys(jwtKeys), generatedKeyPath: null };
  }
  if (env.JWT_SECRET) {
    const jwtKeys = [jwtKeyFromSecret(env.JWT_SECRET)];
    return { jwtKeys, ...derivedKeys(jwtKeys), generatedKeyPath: null };
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
  return { jwtKeys, ...derivedKeys(jwtKeys), generatedKeyPath: path };
}

/**
 * Keys derived from the signing key, each domain-separated by its label: HMAC(signing key,
 * label). Upload URLs live minutes, so rotating the signing key only voids those in flight.
 */
function derivedKeys(keys: JwtKey[]): Pick<Secrets, "refreshPepper" | "mediaSigningKey"> {
  const first = keys[0];
  if (!first) throw new Error("No JWT keys configured");
  const derive = (label: string) => new Uint8Array(createHmac("sha256", first.secret).update(label).digest());
  return { refreshPepper: derive("companion refresh-token pepper"), mediaSigningKey: derive("companion media-upload signing") };
}
