/**
 * companions.importCard / exportCard over HTTP (docs/character-cards.md): real-world-shaped V2/V3
 * cards as JSON and PNG, the round trip import → export → import, bad cards refused with
 * nothing written, and nobody but the owner exporting a companion.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { companionPersonas, companions } from "@companion/db";
import { count, eq } from "drizzle-orm";
import encodeChunks from "png-chunks-encode";
import extractChunks from "png-chunks-extract";
import * as pngText from "png-chunk-text";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const fixture = (name: string) => readFile(new URL(`./fixtures/cards/${name}`, import.meta.url));
const jsonFixture = async (name: string) => JSON.parse((await fixture(name)).toString("utf8")) as Record<string, unknown>;
const pngFixture = async (name: string) => (await fixture(name)).toString("base64");

const QUOTA = 6;
const fake = createFakeOpenAIServer();
let closeFake: (() => Promise<void>) | undefined;
let t: TestServer;
beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({
    COMPANION_DAILY_QUOTA: String(QUOTA),
    // A body cap above the 1 MB card limit, so that the oversize card reaches the procedure.
    MAX_BODY_BYTES: String(4 * 1024 * 1024),
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: url,
    OPENAI_MODEL: "gpt-4o-mini",
  });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

/** The companion as its owner reads it, plus what only the database holds (lorebook, extensions). */
async function stored(u: SignedInUser, companionId: string) {
  const own = await u.api.companions.own.query({ companionId });
  const [persona] = await t.database.db
    .select({ characterBook: companionPersonas.characterBook, extensions: companionPersonas.extensions })
    .from(companionPersonas)
    .where(eq(companionPersonas.companionId, companionId));
  const { id: _id, slug: _slug, createdAt: _c, updatedAt: _u, ...fields } = own;
  return { ...fields, ...persona };
}

const companionCount = async () => (await t.database.db.select({ n: count() }).from(companions))[0]?.n ?? 0;

describe("companions.importCard", () => {
  it("maps a V2 card with a lorebook onto our fields and keeps what we do not use", async () => {
    const u = await signUp(t, "Importer");
    const card = await jsonFixture("seraphina-v2.json");
    const created = await u.api.companions.importCard.mutate({ format: "json", card });
    expect(created).toMatchObject({
      name: "Seraphina",
      visibility: "private",
      bio: "Seraphina works best with a gentle, slow-paced story. Try asking about the forest.",
      backstory: expect.stringMatching(/^Seraphina is a guardian of the Eldoria forest/),
      personality: "caring, protective, wise, a little playful",
      scenario: expect.stringMatching(/^\{\{user\}\} wakes up/),
      greeting: expect.stringMatching(/^\*You wake to the smell of herbs/),
      // The blank alternate greeting is dropped.
      alternateGreetings: [expect.stringMatching(/^\*The fire crackles/), expect.stringMatching(/^\*A bird lands/)],
      exampleDialogues: expect.stringMatching(/^<START>\n/),
      systemPrompt: "",
      postHistoryInstructions: "Write {{char}}'s next reply in a soft, descriptive style.",
      // Trimmed, duplicates (any case) and over-long ones left out, at most 12.
      traits: ["Fantasy", "Healer", "Forest", "SFW", "OC", "female", "magic", "guardian", "wholesome", "slow burn", "eldoria", "gentle"],
    });
    const s = await stored(u, created.id);
    expect(s.characterBook?.entries.map((e) => e.keys[0])).toEqual(["glade", "shadow", "Eldoria", "dragon"]);
    expect(s.characterBook).toMatchObject({ name: "Eldoria", scan_depth: 4, token_budget: 512 });
    const data = (card as { data: Record<string, unknown> }).data;
    expect(s.extensions).toEqual({ creator: "Anonymous Creator", character_version: "main", extensions: data.extensions, tags: data.tags });
  });

  it("maps a V3 card with assets, and reads our own extension back", async () => {
    const u = await signUp(t, "V3");
    const created = await u.api.companions.importCard.mutate({ format: "json", card: (await fixture("captain-v3.json")).toString("utf8"), visibility: "unlisted" });
    expect(created).toMatchObject({ name: "Captain Mirela Voss", visibility: "unlisted", traits: ["adventure", "airship", "steampunk"], systemPrompt: expect.stringMatching(/\{\{original\}\}/) });
    const s = await stored(u, created.id);
    expect(s.extensions).toMatchObject({ nickname: "Mira", source: ["https://example.com/cards/captain-voss"], creation_date: 1714500000, group_only_greetings: ["Crew, gather round. We have guests."] });
    expect(s.extensions?.assets).toHaveLength(3);
    expect(s.extensions).not.toHaveProperty("modification_date");
    expect(s.extensions).not.toHaveProperty("tags");

    const nova = await u.api.companions.importCard.mutate({ format: "png", dataBase64: await pngFixture("nova-ccv3.png") });
    // ccv3 wins over the chara backfill; our extension fills the fields cards do not have.
    expect(nova).toMatchObject({ name: "Nova", tagline: "Reactor poet", speakingStyle: "Short lines, counted syllables.", catchphrases: ["Shall I?"], neverSay: ["as an AI"] });
  });

  it("reads a PNG with a chara chunk (UTF-8 text intact)", async () => {
    const u = await signUp(t, "Png");
    const created = await u.api.companions.importCard.mutate({ format: "png", dataBase64: await pngFixture("juniper-chara.png") });
    expect(created).toMatchObject({ name: "Juniper", bio: "Cozy slice-of-life. Émoji and accents on purpose: ñ, ü, 日本.", greeting: "Rain again! Sit anywhere, {{user}} — the usual? ☕" });
    expect((await stored(u, created.id)).characterBook?.entries[0]?.keys).toEqual(["bun", "buns"]);
  });

  for (const [name, format] of [
    ["seraphina-v2.json", "json"],
    ["captain-v3.json", "json"],
    ["juniper-chara.png", "png"],
    ["nova-ccv3.png", "png"],
  ] as const) {
    it(`round-trips ${name}: import → export (JSON and PNG) → import gives the same companion`, async () => {
      const u = await signUp(t, "Round");
      const first = await u.api.companions.importCard.mutate(
        format === "json" ? { format, card: await jsonFixture(name) } : { format, dataBase64: await pngFixture(name) },
      );
      const before = await stored(u, first.id);

      const json = await u.api.companions.exportCard.query({ companionId: first.id, format: "json" });
      if (json.format !== "json") throw new Error("expected a JSON export");
      expect(json.card).toMatchObject({ spec: "chara_card_v3", spec_version: "3.0", data: { name: first.name } });
      const fromJson = await u.api.companions.importCard.mutate({ format: "json", card: JSON.stringify(json.card) });
      expect(await stored(u, fromJson.id)).toEqual(before);

      const png = await u.api.companions.exportCard.query({ companionId: first.id, format: "png" });
      if (png.format !== "png") throw new Error("expected a PNG export");
      expect(png).toMatchObject({ contentType: "image/png", filename: `${first.slug}.png` });
      const chunks = extractChunks(Buffer.from(png.dataBase64, "base64"))
        .filter((c) => c.name === "tEXt")
        .map((c) => pngText.decode(c.data));
      expect(chunks.map((c) => c.keyword)).toEqual(["chara", "ccv3"]);
      const v2 = JSON.parse(Buffer.from(chunks[0]?.text ?? "", "base64").toString("utf8")) as { spec: string; data: { name: string } };
      expect(v2).toMatchObject({ spec: "chara_card_v2", spec_version: "2.0", data: { name: first.name } });
      const fromPng = await u.api.companions.importCard.mutate({ format: "png", dataBase64: png.dataBase64 });
      expect(await stored(u, fromPng.id)).toEqual(before);
    });
  }

  it("counts against the daily creation quota", async () => {
    const u = await signUp(t, "Quota");
    const card = await jsonFixture("captain-v3.json");
    for (let i = 0; i < QUOTA; i++) await u.api.companions.importCard.mutate({ format: "json", card });
    expect((await failureOf(u.api.companions.importCard.mutate({ format: "json", card }))).code).toBe("TOO_MANY_REQUESTS");
  });
});

/** A PNG with this text chunk (and nothing of a card otherwise). */
function pngWith(keyword: string, text: string): string {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, 1);
  new DataView(ihdr.buffer).setUint32(4, 1);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const idat = new Uint8Array([0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
  return Buffer.from(
    encodeChunks([{ name: "IHDR", data: ihdr }, { name: "IDAT", data: idat }, pngText.encode(keyword, text), { name: "IEND", data: new Uint8Array(0) }]),
  ).toString("base64");
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64");

describe("a big PNG card", () => {
  it("imports through the client up to the card cap, while other procedures keep the common body cap", async () => {
    const u = await signUp(t, "Big");
    // A real card PNG with 3 MB of an ancillary chunk (as painted card art carries): over MAX_BODY_BYTES once in base64.
    const chunks = extractChunks(await fixture("juniper-chara.png"));
    const filler = { name: "prVt", data: new Uint8Array(3 * 1_048_576).fill(7) };
    const big = Buffer.from(encodeChunks([...chunks.slice(0, -1), filler, chunks.at(-1)!])).toString("base64");
    expect(big.length).toBeGreaterThan(4 * 1_048_576);
    const created = await u.api.companions.importCard.mutate({ format: "png", dataBase64: big });
    expect(created.name).toBe("Juniper");
    // The same bytes sent to any other procedure are refused before they are read.
    const res = await fetch(`${t.url}/trpc/settings.update`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ aboutMe: big }) });
    expect(res.status).toBe(413);
  });
});

describe("bad cards", () => {
  it("are BAD_REQUEST with a message naming what is wrong, and nothing is written", async () => {
    const u = await signUp(t, "Bad");
    const v2 = await jsonFixture("seraphina-v2.json");
    const data = (v2 as { data: Record<string, unknown> }).data;
    const juniper = await fixture("juniper-chara.png");
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      ["a V1 card", () => u.api.companions.importCard.mutate({ format: "json", card: { name: "Old", description: "v1" } }), /card\.spec: .*chara_card_v2/],
      ["another spec", () => u.api.companions.importCard.mutate({ format: "json", card: { ...v2, spec: "lorebook_v3" } }), /card\.spec/],
      ["no name", () => u.api.companions.importCard.mutate({ format: "json", card: { ...v2, data: { ...data, name: "  " } } }), /card\.data\.name: the card has no name/],
      ["a field over our cap", () => u.api.companions.importCard.mutate({ format: "json", card: { ...v2, data: { ...data, description: "x".repeat(8_001) } } }), /card\.data\.description: at most 8000/],
      ["a string where text belongs", () => u.api.companions.importCard.mutate({ format: "json", card: { ...v2, data: { ...data, personality: 5 } } }), /card\.data\.personality/],
      [
        "a lorebook over 200 entries",
        () =>
          u.api.companions.importCard.mutate({
            format: "json",
            card: { ...v2, data: { ...data, character_book: { extensions: {}, entries: Array.from({ length: 201 }, (_, i) => ({ keys: [`k${i}`], content: "c", enabled: true, insertion_order: i, extensions: {} })) } } },
          }),
        /card\.data\.character_book\.entries: at most 200 entries/,
      ],
      ["NUL in an extension", () => u.api.companions.importCard.mutate({ format: "json", card: { ...v2, data: { ...data, extensions: { x: "a\u0000b" } } } }), /NUL/],
      ["JSON that does not parse", () => u.api.companions.importCard.mutate({ format: "json", card: '{"spec": "chara_card_v2",' }), /card: not valid JSON/],
      ["a card over 1 MB", () => u.api.companions.importCard.mutate({ format: "json", card: JSON.stringify({ ...v2, pad: "x".repeat(1_100_000) }) }), /at most 1 MB/],
      ["bytes that are no PNG", () => u.api.companions.importCard.mutate({ format: "png", dataBase64: Buffer.from("GIF89a not a png").toString("base64") }), /dataBase64: not a valid PNG/],
      ["a truncated PNG", () => u.api.companions.importCard.mutate({ format: "png", dataBase64: juniper.subarray(0, juniper.length - 40).toString("base64") }), /dataBase64: not a valid PNG/],
      ["a PNG without a card", () => u.api.companions.importCard.mutate({ format: "png", dataBase64: pngWith("Comment", "hello") }), /carries no character card/],
      ["a chara chunk that is not base64", () => u.api.companions.importCard.mutate({ format: "png", dataBase64: pngWith("chara", "{not base64!}") }), /chara chunk\): not base64/],
      ["a chara chunk of base64 non-JSON", () => u.api.companions.importCard.mutate({ format: "png", dataBase64: pngWith("chara", Buffer.from("hello").toString("base64")) }), /chara chunk\): not valid JSON/],
      ["a ccv3 chunk with a V1 card", () => u.api.companions.importCard.mutate({ format: "png", dataBase64: pngWith("ccv3", b64({ name: "x" })) }), /ccv3 chunk\) spec/],
    ];
    const before = await companionCount();
    for (const [what, call, message] of cases) {
      const failure = await failureOf(call());
      expect({ what, code: failure.code }).toEqual({ what, code: "BAD_REQUEST" });
      expect(failure.message, what).toMatch(message);
    }
    expect(await companionCount()).toBe(before);
  });
});

describe("companions.exportCard", () => {
  it("is the owner's only: anyone else, a system companion or an unknown id is NOT_FOUND", async () => {
    const owner = await signUp(t, "Owner");
    const other = await signUp(t, "Other");
    const mine = await owner.api.companions.importCard.mutate({ format: "json", card: await jsonFixture("captain-v3.json"), visibility: "public" });
    const { sys } = await createPublicCompanions(t, ["sys"]);
    for (const format of ["json", "png"] as const) {
      expect((await failureOf(other.api.companions.exportCard.query({ companionId: mine.id, format }))).code).toBe("NOT_FOUND");
      expect((await failureOf(owner.api.companions.exportCard.query({ companionId: sys ?? "", format }))).code).toBe("NOT_FOUND");
      expect((await failureOf(owner.api.companions.exportCard.query({ companionId: "00000000-0000-4000-8000-000000000000", format }))).code).toBe("NOT_FOUND");
    }
    const exported = await owner.api.companions.exportCard.query({ companionId: mine.id, format: "json" });
    expect(exported.format).toBe("json");
  });
});

describe("the lorebook in the chat prompt", () => {
  interface ChatBody {
    messages: { role: string; content: string }[];
    response_format?: unknown;
  }

  /** Sends a message and returns the system message of the reply's model request (not a json_schema one). */
  async function systemPromptFor(u: SignedInUser, companionId: string, content: string): Promise<string> {
    await t.settle();
    const before = fake.requestBodies.length;
    await u.api.messages.send.mutate({ companionId, content, idempotencyKey: randomUUID() });
    await t.settle();
    const chat = (fake.requestBodies.slice(before) as ChatBody[]).find((b) => !b.response_format && b.messages.at(-1)?.content === content);
    if (!chat) throw new Error(`no chat request for ${JSON.stringify(content)}`);
    return chat.messages.find((m) => m.role === "system")?.content ?? "";
  }

  it("adds an entry only while its keyword is in the recent turns; constant ones always, disabled ones never", async () => {
    const u = await signUp(t, "Lore");
    // The card's greeting opens the conversation and says "glade": this test starts from a neutral one.
    const card = (await jsonFixture("seraphina-v2.json")) as { data: { first_mes: string } };
    card.data.first_mes = "*You wake to the smell of herbs.* Easy now, {{user}}.";
    const { id } = await u.api.companions.importCard.mutate({ format: "json", card });
    await u.api.companions.connect.mutate({ companionId: id });
    const glade = "moonflowers glow at night";
    const world = "ancient forest older than the kingdoms";

    const plain = await systemPromptFor(u, id, "Hello there, how are you?");
    expect(plain).toContain(world);
    expect(plain).not.toContain(glade);

    expect(await systemPromptFor(u, id, "Tell me about this glade.")).toContain(glade);
    // Still within the last 4 turns (the glade question and its reply are two of them).
    expect(await systemPromptFor(u, id, "What else?")).toContain(glade);
    // Selective: "shadow" alone is not enough, "shadow" and "beast" are.
    expect(await systemPromptFor(u, id, "A shadow moved.")).not.toContain("wraiths of smoke");
    const both = await systemPromptFor(u, id, "Was that shadow a beast?");
    expect(both).toContain("wraiths of smoke");
    // Four turns later the glade is out of the scanned window.
    const later = await systemPromptFor(u, id, "Let us talk about something else.");
    expect(later).not.toContain(glade);
    expect(later).toContain(world);
    expect(later).not.toContain("Dragons left Eldoria");
    // Lore sits in the system message under its own heading.
    expect(both.indexOf("What is true in your world")).toBeGreaterThan(-1);
  });
});
