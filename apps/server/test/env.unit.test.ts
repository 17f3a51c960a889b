import { readFileSync } from "node:fs";
import { parseEnv as parseDotEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { workerEnvNames } from "../../worker/src/env.ts";
import { EnvError, parseEnv, serverEnvNames } from "../src/env.ts";

const envExample = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");

describe("env", () => {
  it("runs with nothing set: embedded database, development", () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.NODE_ENV).toBe("development");
    expect(env.dataDir).toMatch(/\.data$/);
  });

  it("refuses to start in production without a JWT secret", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(EnvError);
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/JWT_SECRET/);
    expect(parseEnv({ NODE_ENV: "production", JWT_SECRET: "x".repeat(32) }).NODE_ENV).toBe("production");
  });

  it("allows more than one server process (WEB_CONCURRENCY) on Postgres only, without in-process jobs", () => {
    expect(parseEnv({}).WEB_CONCURRENCY).toBe(1);
    expect(() => parseEnv({ WEB_CONCURRENCY: "2" })).toThrow(/WEB_CONCURRENCY: more than one server process needs DATABASE_URL/);
    const pg = { DATABASE_URL: "postgres://u@localhost:5432/db", WEB_CONCURRENCY: "2" };
    expect(parseEnv(pg).WEB_CONCURRENCY).toBe(2);
    expect(() => parseEnv({ ...pg, JOBS_IN_PROCESS: "true" })).toThrow(/JOBS_IN_PROCESS: with WEB_CONCURRENCY > 1/);
    expect(() => parseEnv({ ...pg, WEB_CONCURRENCY: "0" })).toThrow(/WEB_CONCURRENCY/);
  });

  it(".env.example names every variable, and copied to .env as it is, starts the server", () => {
    const listed = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...serverEnvNames, ...workerEnvNames].filter((name) => !listed.has(name))).toEqual([]);
    expect(parseEnv(parseDotEnv(envExample)).PORT).toBe(3000);
  });

  it("validates the safety policy and the moderation timeout (docs/safety.md)", () => {
    expect(parseEnv({}).SAFETY_POLICY).toEqual({ violence: "flag", hate: "refuse", harassment: "flag", sexual: "flag", illicit: "flag" });
    expect(parseEnv({ SAFETY_POLICY: "sexual=allow,harassment=refuse" }).SAFETY_POLICY).toMatchObject({ sexual: "allow", harassment: "refuse", hate: "refuse" });
    expect(() => parseEnv({ SAFETY_POLICY: "violence=maybe" })).toThrow(/SAFETY_POLICY: unknown action "maybe"/);
    expect(() => parseEnv({ SAFETY_POLICY: "sexual_minors=allow" })).toThrow(/SAFETY_POLICY: sexual_minors is not configurable/);
    expect(parseEnv({}).SAFETY_MODERATION_TIMEOUT_MS).toBe(800);
    expect(() => parseEnv({ SAFETY_MODERATION_TIMEOUT_MS: "5" })).toThrow(/SAFETY_MODERATION_TIMEOUT_MS/);
  });

  it("behind a transaction pooler, needs the direct URL for LISTEN and migrations", () => {
    const bouncer = { DATABASE_URL: "postgres://u@pgbouncer:6432/db", DB_POOLER: "transaction" };
    expect(() => parseEnv(bouncer)).toThrow(/DATABASE_DIRECT_URL: is required with DB_POOLER=transaction/);
    const env = parseEnv({ ...bouncer, DATABASE_DIRECT_URL: "postgres://u@postgres:5432/db" });
    expect(env.DATABASE_DIRECT_URL).toBe("postgres://u@postgres:5432/db");
    expect(() => parseEnv({ ...bouncer, DATABASE_DIRECT_URL: "not a url" })).toThrow(/DATABASE_DIRECT_URL/);
  });

  it("keeps SSE pings well inside the request timeout", () => {
    expect(parseEnv({}).SSE_KEEPALIVE_MS).toBe(10_000);
    expect(parseEnv({ REQUEST_TIMEOUT_MS: "1000", SSE_KEEPALIVE_MS: "600" }).SSE_KEEPALIVE_MS).toBe(600);
    expect(() => parseEnv({ REQUEST_TIMEOUT_MS: "12000" })).toThrow(/SSE_KEEPALIVE_MS: must be under two thirds of REQUEST_TIMEOUT_MS/);
    expect(() => parseEnv({ SSE_KEEPALIVE_MS: "20000" })).toThrow(/SSE_KEEPALIVE_MS/);
  });

  it("keeps metrics private: no token, no port by default; a short token or the main port refused", () => {
    const env = parseEnv({});
    expect(env.METRICS_TOKEN).toBeUndefined();
    expect(env.METRICS_PORT).toBeUndefined();
    expect(env.METRICS_HOST).toBe("127.0.0.1");
    expect(() => parseEnv({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(() => parseEnv({ PORT: "3000", METRICS_PORT: "3000" })).toThrow(/METRICS_PORT: must differ from PORT/);
    expect(parseEnv({ METRICS_PORT: "9464" }).METRICS_PORT).toBe(9464);
  });

  it("reports every bad variable by name", () => {
    try {
      parseEnv({ PORT: "http", DB_POOLER: "sometimes", JWT_SECRET: "short" });
      expect.unreachable();
    } catch (err) {
      expect((err as EnvError).issues.join("\n")).toMatch(/PORT[\s\S]*DB_POOLER[\s\S]*JWT_SECRET|PORT/);
      expect((err as EnvError).issues).toHaveLength(3);
    }
  });

  it("takes the media URL lifetime and a public S3 endpoint for presigned URLs", () => {
    expect(parseEnv({}).MEDIA_URL_TTL_SEC).toBe(300);
    expect(() => parseEnv({ MEDIA_URL_TTL_SEC: "1" })).toThrow(/MEDIA_URL_TTL_SEC/);
    expect(parseEnv({ S3_PUBLIC_ENDPOINT: "http://localhost:9000" }).S3_PUBLIC_ENDPOINT).toBe("http://localhost:9000");
    expect(() => parseEnv({ S3_PUBLIC_ENDPOINT: "minio without a scheme" })).toThrow(/S3_PUBLIC_ENDPOINT/);
  });

  it("parses the CORS allowlist", () => {
    expect(parseEnv({ CORS_ORIGINS: "https://a.example, https://b.example" }).CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
  });
});
