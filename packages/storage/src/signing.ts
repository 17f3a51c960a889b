import { createHmac, timingSafeEqual } from "node:crypto";

/** The fields a local upload URL commits to; changing any of them breaks the signature. */
export interface UploadGrant {
  key: string;
  contentType: string;
  byteSize: number;
  /** Unix seconds. */
  expires: number;
}

const canonical = (g: UploadGrant) => ["PUT", g.key, g.contentType, String(g.byteSize), String(g.expires)].join("\n");

function signUploadGrant(signingKey: Uint8Array, grant: UploadGrant): string {
  return createHmac("sha256", signingKey).update(canonical(grant)).digest("base64url");
}

export type GrantCheck = { ok: true; grant: UploadGrant } | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

/**
 * Checks a local upload URL's query against its key. The signature is compared in constant
 * time and checked before expiry, so a forged URL never learns whether its expiry was fine.
 */
export function verifyUploadGrant(signingKey: Uint8Array, key: string, query: URLSearchParams, now = Date.now()): GrantCheck {
  const contentType = query.get("type");
  const byteSize = Number(query.get("size"));
  const expires = Number(query.get("expires"));
  const sig = query.get("sig");
  if (!contentType || !sig || !Number.isSafeInteger(byteSize) || byteSize < 0 || !Number.isSafeInteger(expires)) {
    return { ok: false, reason: "malformed" };
  }
  const grant: UploadGrant = { key, contentType, byteSize, expires };
  const expected = Buffer.from(signUploadGrant(signingKey, grant));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad_signature" };
  if (expires * 1000 <= now) return { ok: false, reason: "expired" };
  return { ok: true, grant };
}

export function uploadGrantQuery(signingKey: Uint8Array, grant: UploadGrant): string {
  return new URLSearchParams({
    type: grant.contentType,
    size: String(grant.byteSize),
    expires: String(grant.expires),
    sig: signUploadGrant(signingKey, grant),
  }).toString();
}

/**
 * The fields a local read URL commits to (see ReadGrantParams). Its canonical text starts
 * with GET where an upload's starts with PUT, so one can never pass for the other.
 */
export interface ReadGrant {
  key: string;
  story: string | null;
  /** A companion's avatar: served while the companion has this key as its avatar. */
  companion?: string | null;
  /** A data export archive: served while that export is ready with this key (docs/account.md#export). */
  export?: string | null;
  /** Unix seconds. */
  expires: number;
}

// A companion grant adds a line (keys have no newline), so it can never pass for a story's or a preview's.
const readCanonical = (g: ReadGrant) =>
  ["GET", g.key, g.story ?? "", String(g.expires), ...(g.companion ? [`companion:${g.companion}`] : []), ...(g.export ? [`export:${g.export}`] : [])].join("\n");

function signReadGrant(signingKey: Uint8Array, grant: ReadGrant): string {
  return createHmac("sha256", signingKey).update(readCanonical(grant)).digest("base64url");
}

export function readGrantQuery(signingKey: Uint8Array, grant: ReadGrant): string {
  const sig = signReadGrant(signingKey, grant);
  const binding = grant.export
    ? `export=${grant.export}&`
    : grant.companion
      ? `companion=${grant.companion}&`
      : grant.story
        ? `story=${grant.story}&`
        : "";
  return `${binding}expires=${grant.expires}&sig=${sig}`;
}

export type ReadGrantCheck = { ok: true; grant: ReadGrant } | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

/** Checks a local read URL's query against its key: signature (constant time) first, then expiry. */
export function verifyReadGrant(signingKey: Uint8Array, key: string, query: URLSearchParams, now = Date.now()): ReadGrantCheck {
  const expires = Number(query.get("expires"));
  const sig = query.get("sig");
  if (!sig || !Number.isSafeInteger(expires)) return { ok: false, reason: "malformed" };
  const companion = query.get("companion");
  const exported = query.get("export");
  const grant: ReadGrant = { key, story: query.get("story") || null, ...(companion ? { companion } : {}), ...(exported ? { export: exported } : {}), expires };
  const expected = Buffer.from(signReadGrant(signingKey, grant));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad_signature" };
  if (expires * 1000 <= now) return { ok: false, reason: "expired" };
  return { ok: true, grant };
}
