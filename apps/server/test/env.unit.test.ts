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
