import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../src/env.ts";

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

  it("parses the CORS allowlist", () => {
    expect(parseEnv({ CORS_ORIGINS: "https://a.example, https://b.example" }).CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
  });
});
