/**
 * The real server process on its embedded default — no database URL, no API key — and an
 * app talking to it through packages/client: a seeded demo companion answers both `send`
 * and `stream` with the offline persona, in the mood of the relationship.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@companion/client";
import { afterAll, describe, expect, it } from "vitest";
import { streamToEnd } from "./chat-fixtures.ts";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
let child: ChildProcess | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function startEmbedded(): Promise<{ url: string; output: () => string }> {
  dataDir = await mkdtemp(join(tmpdir(), "companion-chat-e2e-"));
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  let output = "";
  proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const m = /"url":"(http:[^"]+)"/.exec(output);
    if (m?.[1]) return { url: m[1], output: () => output };
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}):\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen within 90 s:\n${output}`);
}

describe("chat on the embedded default", () => {
  it("a demo companion answers send and stream offline, and the relationship moves", async () => {
    const server = await startEmbedded();
    expect(server.output()).toContain("no AI provider configured");

    let token: string | undefined;
    const api = createClient({ url: server.url, getAccessToken: () => token, onTokens: (t) => void (token = t?.accessToken) });
    await api.auth.register.mutate({ email: `e2e-${randomUUID()}@example.com`, password: "password-1234", displayName: "E2E" });
    const luna = (await api.companions.list.query({ limit: 50 })).items.find((c) => c.slug === "luna");
    if (!luna) throw new Error("demo companion luna was not seeded");
    await api.companions.connect.mutate({ companionId: luna.id });

    const sent = await api.messages.send.mutate({ companionId: luna.id, content: "I finally finished my telescope", idempotencyKey: randomUUID() });
    expect(sent.reply).toMatchObject({ role: "assistant", status: "complete", replyToId: sent.userMessage.id });
    expect(sent.reply.content.length).toBeGreaterThan(10);

    const events = await streamToEnd(api, { companionId: luna.id, content: "Saw a meteor shower last night!", idempotencyKey: randomUUID() });
    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("the stream did not end with done");
    expect(events.filter((e) => e.type === "token").map((e) => (e.type === "token" ? e.text : "")).join("")).toBe(done.reply.content);

    const history = await api.messages.list.query({ companionId: luna.id, limit: 10 });
    // Luna's greeting opened the conversation (companions.connect).
    expect(history.items.map((m) => m.id).slice(0, 4)).toEqual([done.reply.id, done.userMessage.id, sent.reply.id, sent.userMessage.id]);
    expect(history.items.slice(4)).toEqual([expect.objectContaining({ role: "assistant", content: expect.stringContaining("I'm Luna") })]);
    // The relationship moves after each exchange, in the background.
    let relationship = await api.companions.relationship.query({ companionId: luna.id });
    for (let i = 0; i < 50 && relationship.interactionCount < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      relationship = await api.companions.relationship.query({ companionId: luna.id });
    }
    expect(relationship.interactionCount).toBe(2);

    child?.kill("SIGTERM");
    await new Promise((resolve) => child?.once("exit", resolve));
    expect(child?.exitCode).toBe(0);
  }, 150_000);
});
