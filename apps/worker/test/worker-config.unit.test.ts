import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

describe("the worker process", () => {
  it("refuses to start without DATABASE_URL (the embedded server runs the jobs itself)", async () => {
    const child = spawn(tsx, [main], { env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(78);
    expect(output).toContain("DATABASE_URL is required");
  });
});
