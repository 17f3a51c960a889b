/**
 * The single-call fast path (src/trpc-single-call.ts) against tRPC's standard adapter: two
 * servers on one database, one with TRPC_FAST_PATH on and one with it off, get the same raw
 * HTTP requests, and must answer with the same status, the same headers (but the date and the
 * request id) and byte-identical bodies, for every kind of answer: data, validation errors,
 * domain errors, auth errors, malformed input, rate limits with Retry-After, bodies too large,
 * and the requests the fast path leaves to the standard adapter. The pgbouncer run of the suite
 * also runs every other HTTP test on the standard adapter (vitest.config.ts).
 */
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newKey, streamToEnd } from "./chat-fixtures.ts";
import { createPublicCompanions, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";
import { postStory, startSocialServer } from "./social-fixtures.ts";

let fast: TestServer;
let standard: TestServer;
let alice: { id: string; token: string };
let luna = "";
let slideId = "";

// One key for both, so each verifies the other's tokens and signs the same media URLs. The
// reaction limit is low enough to reach (each server counts on its own: no Redis here).
const shared = { JWT_SECRET: randomBytes(32).toString("base64url"), RATE_REACTION_PER_MIN: "3", MAX_BODY_BYTES: "4096" };

beforeAll(async () => {
  fast = await startSocialServer({ ...shared, TRPC_FAST_PATH: "true" });
  // Same database; closing it is the first server's job. No second job runner.
  standard = await startTestServer({ ...shared, TRPC_FAST_PATH: "false", JOBS_IN_PROCESS: "false" }, { database: { ...fast.database, close: async () => {} } });
  const session = fast.session();
  const registered = await session.api.auth.register.mutate({ email: uniqueEmail("alice"), password: "password-1234", displayName: "Alice" });
  alice = { id: registered.user.id, token: session.tokens()?.accessToken ?? "" };
  ({ luna = "" } = await createPublicCompanions(fast, ["luna"]));
  await session.api.companions.connect.mutate({ companionId: luna });
  await streamToEnd(session.api, { companionId: luna, content: "Hello there", idempotencyKey: newKey() });
  const bob: SignedInUser = await signUp(fast, "Bob");
  await session.api.social.follow.mutate({ userId: bob.id });
  const story = await postStory(fast, bob, { visibility: "public", caption: "a story" }, 2);
  slideId = story.slides[0]?.id ?? "";
});
afterAll(async () => {
  await standard?.stop();
  await fast?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Req {
  method: "GET" | "POST" | "HEAD" | "PUT";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent in chunks without a content-length (a body the adapter must cap while reading). */
  chunked?: boolean;
}

function send(base: string, r: Req): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: r.path, method: r.method, headers: { "x-request-id": "conformance", ...r.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const { date: _date, ...headers } = res.headers;
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.on("error", reject);
    if (r.body !== undefined && r.chunked) {
      for (let i = 0; i < r.body.length; i += 1024) req.write(r.body.slice(i, i + 1024));
    } else if (r.body !== undefined) {
      req.setHeader("content-length", Buffer.byteLength(r.body));
      req.write(r.body);
    }
    req.end();
  });
}

/**
 * The one intended difference: the fast path sends its body with a content-length, the standard
 * adapter (a stream) chunked. Everything else must match, but the milliseconds a rate limit has
 * left, which move between the two calls (the Retry-After header must still be whole seconds).
 */
const framing = ({ headers: { "content-length": _length, "transfer-encoding": _encoding, ...headers }, body, status }: Answer): Answer => ({
  status,
  headers: status === 429 ? { ...headers, "retry-after": /^\d+$/.test(String(headers["retry-after"])) ? "<seconds>" : headers["retry-after"] } : headers,
  body: status === 429 ? body.replace(/"retryAfterMs":\d+/, '"retryAfterMs":"<ms>"') : body,
});
const equal = (a: Answer, b: Answer) => a.status === b.status && a.body === b.body && JSON.stringify(a.headers) === JSON.stringify(b.headers);

type Framing = "content-length" | "chunked" | "no body";

/**
 * Both servers' answers to `r` (the fast one's), after checking they are the same. `by`: how the
 * fast server framed its body, which tells who answered: the fast path sends a content-length,
 * the standard adapter (and http.ts's own refusals, through writeHead) chunks.
 */
async function same(r: Req, by: Framing): Promise<Answer> {
  const ask = async () => {
    const raw = await send(fast.url, r);
    const framed: Framing =
      raw.headers["content-length"] !== undefined ? "content-length" : raw.headers["transfer-encoding"] === "chunked" ? "chunked" : "no body";
    expect(framed, `${r.method} ${r.path} answered by`).toBe(by);
    return [framing(raw), framing(await send(standard.url, r))] as const;
  };
  let [a, b] = await ask();
  // Signed media URLs change every 12 s step: a pair that straddled one is asked again (a real
  // difference repeats). Mutations are not repeated.
  if (!equal(a, b) && r.method === "GET") [a, b] = await ask();
  expect({ status: a.status, headers: a.headers, body: a.body }, `${r.method} ${r.path}`).toEqual({ status: b.status, headers: b.headers, body: b.body });
  // Header order too: the fast path writes them in the standard adapter's order.
  expect(Object.keys(a.headers)).toEqual(Object.keys(b.headers));
  return a;
}

const FAST = "content-length";
const auth = () => ({ authorization: `Bearer ${alice.token}` });
const json = { "content-type": "application/json" };
const get = (path: string, input?: unknown, headers: Record<string, string> = auth()): Req => ({
  method: "GET",
  path: `/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
  headers,
});
const post = (path: string, body: string | undefined, headers: Record<string, string> = { ...auth(), ...json }): Req => ({ method: "POST", path: `/trpc/${path}`, headers, body });
const parsed = (a: Answer) => JSON.parse(a.body) as { result?: { data: unknown }; error?: { data: { code: string; httpStatus: number; zodError?: unknown } } };

describe("a single query", () => {
  it("answers data as the standard adapter does", async () => {
    const feed = await same(get("stories.feed", { limit: 5 }), FAST);
    expect(feed.status).toBe(200);
    expect(parsed(feed).result?.data).toMatchObject({ items: [{ caption: "a story", slides: [{ id: slideId }, {}] }] });
    const me = await same(get("auth.me"), FAST);
    expect(parsed(me).result?.data).toMatchObject({ id: alice.id });
    const page = await same(get("messages.list", { companionId: luna, limit: 20 }), FAST);
    expect((parsed(page).result?.data as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(2);
  });

  it("answers validation, domain and auth errors as the standard adapter does", async () => {
    const invalid = await same(get("messages.list", { companionId: "not-a-uuid", limit: 20 }), FAST);
    expect(invalid.status).toBe(400);
    expect(parsed(invalid).error?.data.zodError).toBeTruthy();
    const notFound = await same(get("stories.byId", { storyId: crypto.randomUUID() }), FAST);
    expect(notFound.status).toBe(404);
    const anonymous = await same(get("stories.feed", { limit: 5 }, {}), FAST);
    expect(anonymous.status).toBe(401);
    const badToken = await same(get("stories.feed", { limit: 5 }, { authorization: "Bearer nope" }), FAST);
    expect(badToken.status).toBe(401);
    const missingInput = await same(get("messages.list"), FAST);
    expect(missingInput.status).toBe(400);
  });

  it("answers malformed input text as the standard adapter does", async () => {
    for (const raw of ["%7Bnot-json", "", "null", "%5B1%2C2%5D", "%22text%22"]) {
      const a = await same({ method: "GET", path: `/trpc/stories.feed?input=${raw}`, headers: auth() }, FAST);
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(a.status).toBeLessThan(500);
    }
  });
});

describe("a single mutation", () => {
  it("answers data and errors as the standard adapter does", async () => {
    const settings = await same(post("settings.update", JSON.stringify({ aboutMe: "I like tea" })), FAST);
    expect(parsed(settings).result?.data).toMatchObject({ aboutMe: "I like tea" });
    const charset = await same(post("settings.update", JSON.stringify({ aboutMe: "I like tea" }), { ...auth(), "content-type": "application/json; charset=utf-8" }), FAST);
    expect(charset.status).toBe(200);
    for (const body of ["{not json", "", "[]", JSON.stringify({ proactiveEnabled: 42 })]) {
      const a = await same(post("settings.update", body), FAST);
      expect(a.status, body).toBeGreaterThanOrEqual(400);
      expect(a.status, body).toBeLessThan(500);
    }
    const anonymous = await same(post("settings.update", JSON.stringify({ aboutMe: "I like tea" }), json), FAST);
    expect(anonymous.status).toBe(401);
  });

  it("answers the rate limit with the same 429 and Retry-After", async () => {
    const react = post("stories.react", JSON.stringify({ mediaId: slideId, emoji: "🔥" }));
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await same(react, FAST));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3]?.headers["retry-after"]).toBe("<seconds>");
    expect(answers[3]?.body).toContain('"retryAfterMs":"<ms>"');
  });

  it("refuses a body past MAX_BODY_BYTES, with or without a content-length", async () => {
    const big = JSON.stringify({ aboutMe: "x".repeat(5000) });
    // A declared length over the cap is refused by http.ts before tRPC (its writeHead: chunked).
    const declared = await same(post("settings.update", big), "chunked");
    expect(declared.status).toBe(413);
    const chunked = await same({ ...post("settings.update", big), chunked: true }, FAST);
    expect(chunked.status).toBe(413);
  });
});

describe("a client that goes away", () => {
  it("before its mutation's body was read leaves no transaction holding a connection", async () => {
    // A userProcedure reads its input inside its transaction (userScope comes first). More gone
    // clients than the pool has connections: one leaked transaction each would starve the server.
    const body = JSON.stringify({ aboutMe: "gone" });
    const { port } = new URL(fast.url);
    for (let i = 0; i < 24; i++) {
      const socket = connect(Number(port), "127.0.0.1");
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(
        `POST /trpc/settings.update HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${alice.token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body) + 10}\r\n\r\n${body}`,
      );
      socket.destroy();
    }
    const page = await send(fast.url, get("messages.list", { companionId: luna, limit: 20 }));
    expect(page.status).toBe(200);
  }, 20_000);
});

describe("what the fast path leaves to the standard adapter", () => {
  it("is answered the same on both servers", async () => {
    const cases: Req[] = [
      get("stories.react", { mediaId: crypto.randomUUID(), emoji: "🔥" }), // GET of a mutation: 405
      post("stories.feed", JSON.stringify({ limit: 5 })), // POST of a query: 405
      get("nope.nothing"), // unknown: 404
      get("stories.feed,auth.me"),
      { ...get("stories.feed,auth.me"), path: `/trpc/stories.feed,auth.me?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { limit: 5 } }))}` },
      { ...get("stories.feed", { limit: 5 }), headers: { ...auth(), "trpc-accept": "application/jsonl" } },
      post("settings.update", "theme=dark", { ...auth(), "content-type": "application/x-www-form-urlencoded" }),
      { method: "HEAD", path: "/trpc/stories.feed", headers: auth() },
      { method: "PUT", path: "/trpc/settings.update", headers: { ...auth(), ...json }, body: "{}" },
    ];
    for (const r of cases) await same(r, r.method === "HEAD" ? "no body" : "chunked");
  });
});
