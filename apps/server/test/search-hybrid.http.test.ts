/**
 * Hybrid search: a server with an embedding model (the fake OpenAI server) over a database
 * with the vector extension. PGlite always has it (client.ts loads it), so there hybrid is
 * required; on Postgres it is required exactly when the extension is available, else the
 * same server must say it answered full-text.
 */
import { createFakeOpenAIServer, fakeEmbedding } from "@companion/ai/testing";
import type { RouterInputs, RouterOutputs } from "@companion/client";
import { testBackend } from "@companion/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, signUp, type ChatUser } from "./chat-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

type Hit = RouterOutputs["search"]["query"]["items"][number];

const fake = createFakeOpenAIServer();
let t: TestServer;
let closeFake: () => Promise<void>;
let alice: ChatUser;
let bob: ChatUser;
let companionId: string;
let vectorAvailable: boolean;

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
const query = async <T>(q: ReturnType<typeof sql>) => rowsOf<T>(await t.database.db.execute(q));

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  fake.setBehavior({ mode: "ok" });
  t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, AI_TIMEOUT_MS: "10000", OPENAI_EMBEDDING_MODEL: "fake-embedding", OPENAI_EMBEDDING_DIMENSIONS: "64" });
  [{ available: vectorAvailable = false } = { available: false }] = await query<{ available: boolean }>(sql`select exists (select 1 from pg_available_extensions where name = 'vector') as available`);
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
  companionId = (await createCompanion(t.database.db)).id;
  for (const u of [alice, bob]) await u.api.companions.connect.mutate({ companionId });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

async function walk(api: ChatUser["api"], input: Omit<RouterInputs["search"]["query"], "cursor">) {
  const items: Hit[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await api.search.query.query({ ...input, ...(cursor ? { cursor } : {}) });
    expect(page.mode).toBe("hybrid");
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 100);
  return items;
}

describe("hybrid search with an embedding model", () => {
  it("PGlite always has the vector extension", () => {
    if (testBackend() === "pglite") expect(vectorAvailable).toBe(true);
  });

  it("embeds memories and chat messages in a job, then answers in hybrid mode", async () => {
    if (!vectorAvailable) {
      // Postgres without pgvector: the model is configured but there is nowhere to store vectors.
      await alice.api.memories.create.mutate({ companionId, content: "lisbon by the ocean" });
      await t.settle();
      expect((await alice.api.search.query.query({ q: "lisbon" })).mode).toBe("fulltext");
      return;
    }
    const memory = await alice.api.memories.create.mutate({ companionId, title: "Trip", content: "Our trip to Lisbon by the ocean" });
    await alice.api.memories.create.mutate({ companionId, content: "Grandma's apple pie recipe" });
    const { userMessage, reply } = await alice.api.messages.send.mutate({ companionId, content: "I keep dreaming about the ocean in Lisbon", idempotencyKey: newKey() });
    await bob.api.memories.create.mutate({ companionId, title: "Trip", content: "Our trip to Lisbon by the ocean" });
    await t.settle();

    const memoryRows = await query<{ memory_id: string; model: string; dims: number }>(
      sql`select memory_id, model, vector_dims(embedding) as dims from memory_embeddings where user_id = ${alice.id} order by created_at`,
    );
    expect(memoryRows).toHaveLength(2);
    expect(memoryRows[0]).toMatchObject({ memory_id: memory.id, model: "fake-embedding", dims: 64 });
    // The model's vector for the memory's document ("Title: content"), as the fake server made it.
    const [stored] = await query<{ v: string }>(sql`select embedding::text as v from memory_embeddings where memory_id = ${memory.id}`);
    const expected = fakeEmbedding("Trip: Our trip to Lisbon by the ocean", 64);
    (JSON.parse(stored?.v ?? "[]") as number[]).forEach((x, i) => expect(x).toBeCloseTo(expected[i] ?? NaN, 5));
    const messageRows = await query<{ message_id: string }>(sql`select message_id from message_embeddings where user_id = ${alice.id}`);
    expect(new Set(messageRows.map((r) => r.message_id))).toEqual(new Set([userMessage.id, reply.id]));

    const res = await alice.api.search.query.query({ q: "lisbon ocean" });
    expect(res.mode).toBe("hybrid");
    // Found by both rankings, so fused first: the memory and my message; never Bob's twin memory.
    expect(res.items.slice(0, 2).map((h) => h.id).sort()).toEqual([memory.id, userMessage.id].sort());
    expect(highlightedWords(res.items[0])).toContain("lisbon");
    const bobs = await query<{ id: string }>(sql`select id from memories where user_id = ${bob.id}`);
    expect(res.items.map((h) => h.id)).not.toContain(bobs[0]?.id);
  });

  it("a query whose words are not all in any text still finds the nearest rows by their vectors", async () => {
    if (!vectorAvailable) return;
    // Full-text needs every word ("lisbon" AND "rainbow"); the bag-of-words vector shares one.
    const lexical = await query<{ n: number }>(sql`select count(*)::int as n from memories where user_id = ${alice.id} and search @@ websearch_to_tsquery('simple', 'lisbon rainbow')`);
    expect(lexical[0]?.n).toBe(0);
    const res = await alice.api.search.query.query({ q: "lisbon rainbow", kinds: ["memory"] });
    expect(res.mode).toBe("hybrid");
    expect(res.items[0]?.snippet).toBe("Trip: Our trip to Lisbon by the ocean");
  });

  it("pages over the fused list without duplicates", async () => {
    if (!vectorAvailable) return;
    const all = await alice.api.search.query.query({ q: "ocean", limit: 100 });
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    const walked = await walk(alice.api, { q: "ocean", limit: 1 });
    expect(walked.map((h) => h.id)).toEqual(all.items.map((h) => h.id));
    expect(new Set(walked.map((h) => h.id)).size).toBe(walked.length);
  });

  it("search.embed is idempotent, and an edited memory gets a new vector", async () => {
    if (!vectorAvailable) return;
    const memory = await alice.api.memories.create.mutate({ companionId, content: "first words" });
    await t.settle();
    const vectorOf = async () => (await query<{ v: string }>(sql`select embedding::text as v from memory_embeddings where memory_id = ${memory.id}`)).map((r) => r.v);
    const before = await vectorOf();
    expect(before).toHaveLength(1);
    await t.server.runtime.jobs.send("search.embed", { kind: "memory", ids: [memory.id] });
    await t.settle();
    expect(await vectorOf()).toEqual(before);
    await alice.api.memories.update.mutate({ memoryId: memory.id, content: "completely different words" });
    await t.settle();
    const after = await vectorOf();
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it("answers full-text, and says so, when the embedding model fails", async () => {
    if (!vectorAvailable) return;
    fake.setBehavior({ mode: "status", status: 500 });
    try {
      const res = await alice.api.search.query.query({ q: "lisbon" });
      expect(res.mode).toBe("fulltext");
      expect(res.items.length).toBeGreaterThan(0);
    } finally {
      fake.setBehavior({ mode: "ok" });
    }
  });
});

const highlightedWords = (h: Hit | undefined) => (h ? h.highlights.map((r) => h.snippet.slice(r.start, r.end).toLowerCase()) : []);
