/**
 * Every procedure of appRouter, whatever procedures exist when this runs, gets generated
 * inputs over real HTTP (fast-check; hostile-values.ts): shaped like its input with hostile
 * leaves (NUL, unpaired surrogates, huge strings, emoji, RTL, U+2028, NaN/1e308/-0, days of
 * year 0 and 10000, forged cursors, wrong types, extra keys) or any JSON at all, sent
 * anonymously, as a signed-in user and with the token of a deleted account. Queries are GETs,
 * mutations POSTs, subscriptions EventSource GETs read up to their first event. Nothing may
 * answer 5xx (in a stream: an error event whose httpStatus is 5xx), and every 4xx carries a
 * JSON tRPC error with a code. A failure prints the seed and the smallest input that fails.
 */
import { appRouter } from "@companion/api";
import { users } from "@companion/db";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPublicCompanions } from "./companion-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";
import { inputsFor, poisonedInputs, type Carrier, type KnownValues } from "./hostile-values.ts";
import { insertStory } from "./story-fixtures.ts";

/** Generated runs per procedure, after its examples. */
const RUNS_PER_PROCEDURE = 8;
/** How long a stream is read for its first event: a quiet stream (events.subscribe) is fine. */
const STREAM_READ_MS = 600;
/** Node refuses longer request lines itself (431, before our server sees them). */
const MAX_URL_CHARS = 8_000;

type Identity = "anonymous" | "signed-in" | "deleted";
let t: TestServer;
const tokens: Record<Identity, string | undefined> = { anonymous: undefined, "signed-in": undefined, deleted: undefined };
const known: KnownValues = { ids: [], idsByField: {}, mediaKeys: [], emails: [] };

async function post(path: string, input: unknown, token?: string): Promise<Response> {
  const headers = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return fetch(`${t.url}/trpc/${path}`, { method: "POST", headers, body: input === undefined ? "" : JSON.stringify(input) });
}

async function register(name: string): Promise<{ id: string; token: string; email: string }> {
  const email = uniqueEmail(name);
  const res = await post("auth.register", { email, password: "password-1234", displayName: name });
  const body = (await res.json()) as { result: { data: { user: { id: string }; tokens: { accessToken: string } } } };
  return { id: body.result.data.user.id, token: body.result.data.tokens.accessToken, email };
}

async function data<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`setup call failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { result: { data: T } }).result.data;
}

beforeAll(async () => {
  t = await startTestServer({
    RATE_CHAT_PER_MIN: "100000",
    RATE_UPLOAD_PER_MIN: "100000",
    RATE_REACTION_PER_MIN: "100000",
    RATE_STORY_CREATE_PER_MIN: "100000",
    LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: "100000",
    LOGIN_MAX_FAILURES_PER_ACCOUNT: "100000",
    LOGIN_MAX_FAILURES_PER_IP: "100000",
  });
  const [alice, bob, gone] = [await register("alice"), await register("bob"), await register("gone")];
  tokens["signed-in"] = alice.token;
  tokens.deleted = gone.token;
  const { luna = "" } = await createPublicCompanions(t, ["luna"]);
  await data(await post("companions.connect", { companionId: luna }, alice.token));
  const story = await insertStory(t.database.db, luna, { slides: 2 });
  const sent = await data<{ userMessage: { id: string } }>(
    await post("messages.send", { companionId: luna, content: "hello", idempotencyKey: "fuzz-setup-1" }, alice.token),
  );
  const memory = await data<{ id: string }>(await post("memories.create", { companionId: luna, content: "a memory" }, alice.token));
  const upload = await data<{ mediaKey: string }>(await post("media.createUpload", { contentType: "image/png", byteSize: 8 }, alice.token));
  await t.database.db.delete(users).where(eq(users.id, gone.id));
  known.ids.push(alice.id, bob.id, gone.id, luna, story.id, ...story.mediaIds, sent.userMessage.id, memory.id);
  known.idsByField = {
    companionId: [luna],
    storyId: [story.id],
    mediaId: story.mediaIds,
    memoryId: [memory.id],
    messageId: [sent.userMessage.id],
    userId: [bob.id],
  };
  known.mediaKeys.push(upload.mediaKey);
  known.emails.push(alice.email, bob.email);
});
afterAll(async () => {
  await t.stop();
});
// A run may disconnect the companion (companions.disconnect); the next procedure starts connected.
// It may also end the session (auth.logoutAll: its access token is refused at once); sign in again.
beforeEach(async () => {
  const probe = await post("companions.connect", { companionId: known.idsByField.companionId?.[0] }, tokens["signed-in"]);
  if (probe.status !== 401) return void (await data(probe));
  const session = await data<{ tokens: { accessToken: string } }>(await post("auth.login", { email: known.emails[0], password: "password-1234" }));
  tokens["signed-in"] = session.tokens.accessToken;
  await data(await post("companions.connect", { companionId: known.idsByField.companionId?.[0] }, tokens["signed-in"]));
});

interface Outcome {
  status: number;
  /** The tRPC error code of a 4xx/5xx answer or stream error event, if it had one. */
  code: string | undefined;
  httpStatus: number;
  body: string;
}

const errorOf = (json: unknown) => (json as { error?: { data?: { code?: unknown; httpStatus?: unknown } } } | null)?.error?.data;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function callOnce(path: string, type: string, input: unknown, token: string | undefined): Promise<Outcome | null> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (type === "mutation") {
    const res = await post(path, input, token);
    return outcomeOf(res.status, await res.text());
  }
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const url = `${t.url}/trpc/${path}${query}`;
  if (url.length > MAX_URL_CHARS) return null;
  if (type === "query") {
    const res = await fetch(url, { headers: auth });
    return outcomeOf(res.status, await res.text());
  }
  return readStream(url, auth);
}

function outcomeOf(status: number, body: string): Outcome {
  const data = errorOf(parseJson(body));
  return { status, code: typeof data?.code === "string" ? data.code : undefined, httpStatus: Number(data?.httpStatus ?? status), body: body.slice(0, 300) };
}

/** An SSE GET read until its first data, error or return event (or a quiet STREAM_READ_MS). */
async function readStream(url: string, headers: Record<string, string>): Promise<Outcome> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), STREAM_READ_MS);
  let status = 200;
  let text = "";
  try {
    const res = await fetch(url, { headers: { ...headers, accept: "text/event-stream" }, signal: abort.signal });
    status = res.status;
    if (!res.body || !res.headers.get("content-type")?.includes("text/event-stream")) return outcomeOf(res.status, await res.text());
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += decoder.decode(chunk.value, { stream: true });
      for (const event of text.split("\n\n").slice(0, -1)) {
        const name = /^event: (.*)$/m.exec(event)?.[1];
        const payload = event.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (name === "serialized-error") {
          const shape = parseJson(payload) as { data?: { code?: string; httpStatus?: number } } | null;
          return { status, code: shape?.data?.code, httpStatus: Number(shape?.data?.httpStatus ?? 0), body: payload.slice(0, 300) };
        }
        if (name === undefined || name === "return") return { status, code: undefined, httpStatus: status, body: payload.slice(0, 300) };
      }
    }
  } catch (err) {
    // Quiet for STREAM_READ_MS (before or after its headers): no error so far is all a stream can show.
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { status, code: undefined, httpStatus: status, body: text.slice(0, 300) };
}

// tRPC types `_def.procedures` as the router's shape; at run time it is a flat record by path.
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; inputs: unknown[] } }>);

describe("every procedure under generated hostile inputs", () => {
  it("covers the router", () => {
    expect(procedures.length).toBeGreaterThan(30);
  });

  for (const [path, procedure] of procedures) {
    const { type, inputs } = procedure._def;
    const carrier: Carrier = type === "mutation" ? "body" : "url";
    it(`${type} ${path}: never 5xx; every 4xx is a tRPC error with a code`, async () => {
      const identity = fc.oneof(
        { weight: 3, arbitrary: fc.constant<Identity>("signed-in") },
        { weight: 1, arbitrary: fc.constantFrom<Identity>("anonymous", "deleted") },
      );
      // First the values known to have broken procedures, in a valid input of this one.
      const poison = poisonedInputs(inputs[0], known, path.length);
      const examples: [Identity, unknown][] = poison
        ? [["deleted", poison.valid], ...poison.poisoned.map((input): [Identity, unknown] => ["signed-in", input])]
        : [["deleted", undefined]];
      await fc.assert(
        fc.asyncProperty(identity, inputsFor(inputs[0], known, carrier), async (who, input) => {
          const outcome = await callOnce(path, type, input, tokens[who]);
          fc.pre(outcome !== null);
          const seen = `${who} ${path} → ${outcome.status} ${outcome.body}`;
          expect(outcome.status, seen).toBeLessThan(500);
          expect(outcome.httpStatus, seen).toBeLessThan(500);
          if (outcome.httpStatus >= 400) expect(outcome.code, seen).toMatch(/^[A-Z_]+$/);
        }),
        { numRuns: RUNS_PER_PROCEDURE + examples.length, examples },
      );
    });
  }
});
