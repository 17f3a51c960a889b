/**
 * Automatic memory with a model (the fake OpenAI server): after each exchange the memory.extract
 * job asks the model, with the person's closest memories, what to add or update; the reply never
 * waits for it, and an unusable or missing model falls back to the offline extractor.
 */
import { createFakeOpenAIServer, type FakeRequest } from "@companion/ai/testing";
import type { RouterOutputs } from "@companion/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callsOf, createCompanion, newKey, signUp, type ChatUser } from "./chat-fixtures.ts";
import { failureOf } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

type Memory = RouterOutputs["memories"]["list"]["items"][number];

const fake = createFakeOpenAIServer();
let t: TestServer;
let closeFake: () => Promise<void>;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, AI_TIMEOUT_MS: "10000" });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

/** The person's message as the extraction prompt quotes it. */
function quotedMessage(request: FakeRequest): string {
  const user = request.messages.find((m) => m.role === "user")?.content ?? "";
  const line = /Message from the person: (".*")/.exec(user)?.[1];
  return line ? (JSON.parse(line) as string) : "";
}

/** The existing memories shown to the model: `key` → id. */
function shownMemories(request: FakeRequest): Map<string, string> {
  const user = request.messages.find((m) => m.role === "user")?.content ?? "";
  return new Map([...user.matchAll(/- id=([0-9a-f-]{36}) key=(\S+)/g)].map((m) => [m[2] ?? "", m[1] ?? ""]));
}

/**
 * A model that knows five kinds of fact; a place it already has is answered as an update of that
 * memory (as mem0's prompt asks), so the contradiction lands on the memory it names.
 */
function extractionModel(request: FakeRequest): string | undefined {
  if (request.schemaName !== "memory_extraction") return undefined;
  const text = quotedMessage(request);
  const shown = shownMemories(request);
  const facts: { action: string; memoryId: string | null; key: string; content: string; importance: number }[] = [];
  const add = (key: string, content: string, importance: number) => {
    const existing = shown.get(key);
    facts.push({ action: existing ? "update" : "add", memoryId: existing ?? null, key, content, importance });
  };
  const name = /my name is (\w+)/i.exec(text)?.[1];
  if (name) add("name", `Their name is ${name}.`, 9);
  const job = /I work as an? ([\w ]+?)[.!]/i.exec(text)?.[1];
  if (job) add("job", `Works as a ${job}.`, 7);
  const dog = /dog (?:called|named) (\w+)/i.exec(text)?.[1];
  if (dog) add(`pet:${dog.toLowerCase()}`, `Has a dog called ${dog}.`, 8);
  const likes = /I love (\w+)/i.exec(text)?.[1];
  if (likes) add(`likes:${likes.toLowerCase()}`, `Loves ${likes}.`, 6);
  const home = /I live in (\w+)/i.exec(text)?.[1];
  if (home) add("home", `Lives in ${home}.`, 7);
  return JSON.stringify({ facts });
}

async function connectedPair(): Promise<{ user: ChatUser; companionId: string }> {
  const user = await signUp(t);
  const companion = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId: companion.id });
  return { user, companionId: companion.id };
}

async function say(user: ChatUser, companionId: string, content: string) {
  const exchange = await user.api.messages.send.mutate({ companionId, content, idempotencyKey: newKey() });
  await t.settle();
  return exchange;
}

async function autoMemories(user: ChatUser, companionId: string): Promise<Memory[]> {
  return (await user.api.memories.list.query({ companionId, source: "auto", limit: 50 })).items;
}

const extractJobs = (messageId: string) => t.server.runtime.jobs.boss.findJobs("memory.extract", { data: { messageId } });

beforeEach(() => fake.setBehavior({ mode: "ok", replyFor: extractionModel }));

describe("automatic memory with a model", () => {
  it("five facts, then one contradicted: five memories, the contradicted one updated in place", async () => {
    const { user, companionId } = await connectedPair();
    await say(user, companionId, "Hi! My name is Robin.");
    await say(user, companionId, "I work as a night nurse.");
    await say(user, companionId, "We have a dog called Biscuit.");
    await say(user, companionId, "Honestly I love swimming.");
    await say(user, companionId, "I live in Leeds these days.");
    const before = await autoMemories(user, companionId);
    expect(before.map((m) => m.content).sort()).toEqual(["Has a dog called Biscuit.", "Lives in Leeds.", "Loves swimming.", "Their name is Robin.", "Works as a night nurse."]);
    const home = before.find((m) => m.content === "Lives in Leeds.");

    await say(user, companionId, "Big news: I live in Bristol now!");
    const after = await autoMemories(user, companionId);
    expect(after).toHaveLength(5);
    const moved = after.find((m) => m.id === home?.id);
    expect(moved?.content).toBe("Lives in Bristol.");
    expect(moved?.source).toBe("auto");
    expect(moved?.title).toBe("home");
    expect(new Date(moved!.updatedAt).getTime()).toBeGreaterThan(new Date(home!.updatedAt).getTime());
    expect(after.find((m) => m.content === "Their name is Robin.")?.importance).toBe(9);
    // One model call per exchange, recorded as this user's.
    expect((await callsOf(t.database.db, user.id)).filter((c) => c.purpose === "memory").map((c) => c.outcome)).toEqual(Array(6).fill("ok"));
  });

  it("run twice, the job writes nothing the second time", async () => {
    const { user, companionId } = await connectedPair();
    const { userMessage } = await say(user, companionId, "My name is Sasha and I love cycling.");
    const first = await autoMemories(user, companionId);
    expect(first).toHaveLength(2);
    await t.server.runtime.jobs.send("memory.extract", { userId: user.id, companionId, messageId: userMessage.id });
    await t.settle();
    expect(await autoMemories(user, companionId)).toEqual(first);
  });

  it("a model answering invalid JSON: the offline extractor answers at once, no retry", async () => {
    const { user, companionId } = await connectedPair();
    fake.setBehavior({ mode: "ok", replyFor: (r) => (r.schemaName === "memory_extraction" ? '{"facts": [{"action": "add", "key": ' : undefined) });
    const { userMessage } = await say(user, companionId, "Hello, my name is Quinn.");
    expect((await autoMemories(user, companionId)).map((m) => m.content)).toEqual([expect.stringContaining("Quinn")]);
    const [job] = await extractJobs(userMessage.id);
    expect(job?.state).toBe("completed");
    expect(job?.retryCount).toBe(0);
  });

  it("auto memories are mine to edit, pin, re-weigh and delete, and nobody else's to see", async () => {
    const { user, companionId } = await connectedPair();
    await say(user, companionId, "My name is Kit and I love tea.");
    const [name, tea] = (await autoMemories(user, companionId)).sort((a, b) => a.content.localeCompare(b.content));
    expect(tea?.content).toBe("Their name is Kit.");
    expect(name?.content).toBe("Loves tea.");
    const edited = await user.api.memories.update.mutate({ memoryId: tea!.id, content: "Goes by Kit.", pinned: true, importance: 10 });
    expect(edited).toMatchObject({ content: "Goes by Kit.", pinned: true, importance: 10, source: "auto" });
    expect((await user.api.memories.list.query({ companionId, source: "manual", limit: 10 })).items).toEqual([]);
    expect((await user.api.memories.list.query({ companionId, limit: 10 })).items[0]?.id).toBe(tea!.id);

    const other = await signUp(t, "Other");
    await other.api.companions.connect.mutate({ companionId });
    expect((await other.api.memories.list.query({ companionId, limit: 10 })).items).toEqual([]);
    expect((await failureOf(other.api.memories.update.mutate({ memoryId: tea!.id, pinned: false }))).code).toBe("NOT_FOUND");
    expect((await failureOf(other.api.memories.delete.mutate({ memoryId: name!.id }))).code).toBe("NOT_FOUND");

    await user.api.memories.delete.mutate({ memoryId: name!.id });
    expect((await autoMemories(user, companionId)).map((m) => m.id)).toEqual([tea!.id]);
  });

  it("an update naming a memory that is not the person's is written as an add by key", async () => {
    const { user, companionId } = await connectedPair();
    const stranger = await connectedPair();
    await say(stranger.user, stranger.companionId, "My name is Ola.");
    const [theirs] = await autoMemories(stranger.user, stranger.companionId);
    fake.setBehavior({
      mode: "ok",
      replyFor: (r) =>
        r.schemaName === "memory_extraction"
          ? JSON.stringify({ facts: [{ action: "update", memoryId: theirs!.id, key: "name", content: "Their name is Pat.", importance: 9 }] })
          : undefined,
    });
    await say(user, companionId, "My name is Pat.");
    expect((await autoMemories(user, companionId)).map((m) => m.content)).toEqual(["Their name is Pat."]);
    expect((await autoMemories(stranger.user, stranger.companionId)).map((m) => m.content)).toEqual(["Their name is Ola."]);
  });

  it("the person's own memories are never overwritten by the job", async () => {
    const { user, companionId } = await connectedPair();
    const mine = await user.api.memories.create.mutate({ companionId, content: "Their name is Jo (they hate nicknames)." });
    expect(mine).toMatchObject({ source: "manual", importance: 5, lastUsedAt: null });
    fake.setBehavior({
      mode: "ok",
      replyFor: (r) =>
        r.schemaName === "memory_extraction"
          ? JSON.stringify({ facts: [{ action: "update", memoryId: mine.id, key: "name", content: "Their name is Joey.", importance: 9 }] })
          : undefined,
    });
    await say(user, companionId, "Call me Joey.");
    expect((await user.api.memories.list.query({ companionId, limit: 10 })).items.map((m) => m.content)).toEqual([mine.content]);
  });

  // Last: the 500s open the process's circuit breaker for the tests after it.
  it("a model that is down: the reply still arrives, and the extraction falls back offline in the same run", async () => {
    const { user, companionId } = await connectedPair();
    fake.setBehavior({ mode: "status", status: 500 });
    const { reply, userMessage } = await say(user, companionId, "Oh hi, my name is Morgan.");
    expect(reply.status).toBe("complete");
    expect(reply.content.length).toBeGreaterThan(0);
    const [job] = await extractJobs(userMessage.id);
    expect(job?.state).toBe("completed");
    expect(job?.retryCount).toBe(0);
    expect((await autoMemories(user, companionId)).map((m) => m.content)).toEqual([expect.stringContaining("Morgan")]);
    // The failed model call is recorded as the person's.
    const memoryCalls = (await callsOf(t.database.db, user.id)).filter((c) => c.purpose === "memory");
    expect(memoryCalls.length).toBeGreaterThanOrEqual(1);
    expect(memoryCalls.every((c) => c.outcome === "server_error" || c.outcome === "circuit_open")).toBe(true);

    // Run again (a retry, or a worker that died before marking it done): the same one memory.
    const before = await autoMemories(user, companionId);
    await t.server.runtime.jobs.send("memory.extract", { userId: user.id, companionId, messageId: userMessage.id });
    await t.settle();
    expect(await autoMemories(user, companionId)).toEqual(before);
  });
});
