/**
 * A DomainError's code reaches the client as `error.data.reason`, next to the unchanged tRPC
 * code (docs/errors.md), through packages/client over HTTP.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorCode, errorReason, type CompanionClient } from "@companion/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("a generic failure carries its kind; bad input carries none", async () => {
    expect(await failureOf(api.stories.byId.query({ storyId: "00000000-0000-4000-8000-000000000000" }))).toEqual({ code: "NOT_FOUND", reason: "NOT_FOUND" });
    expect(await failureOf(api.stories.byId.query({ storyId: "nope" }))).toEqual({ code: "BAD_REQUEST", reason: null });
  });
});
