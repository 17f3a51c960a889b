/**
 * A DomainError's code reaches the client as `error.data.reason`, next to the unchanged tRPC
 * code (docs/errors.md), through packages/client over HTTP.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorCode, errorReason, type CompanionClient } from "@companion/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion } from "./chat-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
let mediaDir: string;
let api: CompanionClient;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), "companion-reasons-"));
  t = await startTestServer({ MEDIA_DIR: mediaDir });
  api = t.session().api;
  await api.auth.register.mutate({ email: uniqueEmail("reasons"), password: "password-1234", displayName: "Reasons" });
});
afterAll(async () => {
  await t.stop();
  await rm(mediaDir, { recursive: true, force: true });
});

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (err: unknown) => ({ code: errorCode(err), reason: errorReason(err) }),
  );

describe("error reasons over HTTP", () => {
  it("completing an upload whose bytes never came is PRECONDITION_FAILED, reason UPLOAD_NOT_FINISHED", async () => {
    const up = await api.media.createUpload.mutate({ contentType: "image/png", byteSize: 100 });
    expect(await failureOf(api.media.completeUpload.mutate({ mediaKey: up.mediaKey }))).toEqual({ code: "PRECONDITION_FAILED", reason: "UPLOAD_NOT_FINISHED" });
  });

  it("a cursor the server never issued is BAD_REQUEST, reason INVALID_CURSOR", async () => {
    expect(await failureOf(api.stories.feed.query({ cursor: "not-a-cursor" }))).toEqual({ code: "BAD_REQUEST", reason: "INVALID_CURSOR" });
  });

  it("chat with a companion I see but have not connected to is NOT_FOUND, reason NOT_CONNECTED; one I cannot see is plain NOT_FOUND", async () => {
    const visible = await createCompanion(t.database.db);
    const message = (companionId: string) => ({ companionId, content: "hello", idempotencyKey: randomUUID() });
    expect(await failureOf(api.messages.send.mutate(message(visible.id)))).toEqual({ code: "NOT_FOUND", reason: "NOT_CONNECTED" });
    expect(await failureOf(api.messages.start.mutate(message(visible.id)))).toEqual({ code: "NOT_FOUND", reason: "NOT_CONNECTED" });
    expect(await failureOf(api.messages.send.mutate(message(randomUUID())))).toEqual({ code: "NOT_FOUND", reason: "NOT_FOUND" });
    // Once connected, the same call goes through; a key spent on other content is IDEMPOTENCY_KEY_REUSED.
    await api.companions.connect.mutate({ companionId: visible.id });
    const first = message(visible.id);
    await api.messages.send.mutate(first);
    expect(await failureOf(api.messages.send.mutate({ ...first, content: "something else" }))).toEqual({ code: "CONFLICT", reason: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("a generic failure carries its kind; bad input carries none", async () => {
    expect(await failureOf(api.stories.byId.query({ storyId: "00000000-0000-4000-8000-000000000000" }))).toEqual({ code: "NOT_FOUND", reason: "NOT_FOUND" });
    expect(await failureOf(api.stories.byId.query({ storyId: "nope" }))).toEqual({ code: "BAD_REQUEST", reason: null });
  });
});
