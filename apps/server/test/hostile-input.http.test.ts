/**
 * Values found to give 500s, through packages/client over HTTP: text Postgres refuses
 * (NUL) or cannot store faithfully (unpaired surrogates), dates Postgres has no day for,
 * forged cursors, and the token of an account deleted while it still verifies. Each is a
 * 4xx naming the field (BAD_REQUEST with `zodError.fieldErrors`) or UNAUTHORIZED.
 * procedures-fuzz.http.test.ts throws generated values of the same kinds at every procedure.
 */
import { users } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
let alice: SignedInUser;
let luna: string;

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, "Alice");
  ({ luna = "" } = await createPublicCompanions(t, ["luna"]));
  await alice.api.companions.connect.mutate({ companionId: luna });
});
afterAll(async () => {
  await t.stop();
});

const NUL = "a\u0000b";
const LONE_HIGH = "x\uD83Dy";
const LONE_LOW = "\uDE00";
const bad = (field: string) => ({ code: "BAD_REQUEST", fieldErrors: { [field]: [expect.stringMatching(/NUL|surrogate/)] } });
const cursorOf = (text: string) => Buffer.from(text).toString("base64url");

describe("text with NUL or an unpaired surrogate", () => {
  it("is refused in every text field, naming the field", async () => {
    for (const value of [NUL, LONE_HIGH, LONE_LOW]) {
      const register = t.client().auth.register.mutate({ email: uniqueEmail(), password: "password-1234", displayName: value });
      expect(await failureOf(register)).toMatchObject(bad("displayName"));
      const send = alice.api.messages.send.mutate({ companionId: luna, content: value, idempotencyKey: `key-${crypto.randomUUID()}` });
      expect(await failureOf(send)).toMatchObject(bad("content"));
      expect(await failureOf(alice.api.memories.create.mutate({ companionId: luna, content: value }))).toMatchObject(bad("content"));
      expect(await failureOf(alice.api.memories.create.mutate({ companionId: luna, content: "ok", title: value }))).toMatchObject(bad("title"));
      const upload = alice.api.media.createUpload.mutate({ contentType: "image/png", byteSize: 10, fileName: value });
      expect(await failureOf(upload)).toMatchObject(bad("fileName"));
    }
  });

  it("still accepts emoji, right-to-left text and line separators", async () => {
    const content = "🙂👩🏽‍💻 مرحبا \u2028 שלום";
    const memory = await alice.api.memories.create.mutate({ companionId: luna, content, title: "🌙" });
    expect(memory).toMatchObject({ content, title: "🌙" });
  });
});

describe("dates and cursors", () => {
  it("refuses mood history days outside 2000-01-01..2100-12-31", async () => {
    for (const [from, to] of [["0000-01-01", "0000-01-05"], ["1999-12-31", "2000-01-02"], ["2100-12-31", "2101-01-01"]] as const) {
      const failure = await failureOf(alice.api.insights.moodHistory.query({ companionId: luna, from, to }));
      expect(failure.code).toBe("BAD_REQUEST");
      expect(Object.keys(failure.fieldErrors ?? {}).length).toBeGreaterThan(0);
    }
    expect(await alice.api.insights.moodHistory.query({ companionId: luna, from: "2000-01-01", to: "2000-01-02" })).toMatchObject({ from: "2000-01-01" });
  });

  it("refuses cursors whose time no row can have, or whose slug holds a NUL", async () => {
    const uuid = crypto.randomUUID();
    const beyond = String(Date.UTC(10000, 0, 1));
    const calls = [
      () => alice.api.stories.feed.query({ cursor: cursorOf(`feed:u:${beyond}:${uuid}`) }),
      () => alice.api.stories.feed.query({ cursor: cursorOf(`feed:u:9007199254740991:${uuid}`) }),
      () => alice.api.memories.list.query({ cursor: cursorOf(`0:${beyond}:${uuid}`) }),
      () => alice.api.messages.list.query({ companionId: luna, cursor: cursorOf(`${beyond}:${uuid}`) }),
      () => alice.api.companions.list.query({ cursor: cursorOf("slug:a\u0000") }),
    ];
    for (const call of calls) expect((await failureOf(call())).code).toBe("BAD_REQUEST");
  });
});

describe("the token of a deleted account", () => {
  it("is UNAUTHORIZED, also for writes that reference the user", async () => {
    const gone = await signUp(t, "Gone");
    const bob = await signUp(t, "Bob");
    await t.database.db.delete(users).where(eq(users.id, gone.id));
    const calls = [
      () => gone.api.social.follow.mutate({ userId: bob.id }),
      () => gone.api.companions.connect.mutate({ companionId: luna }),
      () => gone.api.media.createUpload.mutate({ contentType: "image/png", byteSize: 10 }),
      () => gone.api.auth.me.query(),
    ];
    for (const call of calls) expect((await failureOf(call())).code).toBe("UNAUTHORIZED");
  });
});
