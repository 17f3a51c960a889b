import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { companionPersonas, companions, users } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { asc, eq, inArray, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOn } from "./helpers.ts";

const example = new URL("../../../docs/examples/companions.json", import.meta.url).pathname;

let db: TestDatabase;
let cli: ReturnType<typeof cliOn>;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  cli = cliOn(db);
  dir = await mkdtemp(join(tmpdir(), "companions-import-"));
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const companionRows = () =>
  db.db
    .select({ slug: companions.slug, name: companions.name, traits: companions.traits, tagline: companions.tagline, visibility: companions.visibility })
    .from(companions)
    .orderBy(asc(companions.slug));

describe("companions:import", () => {
  it("imports the documented example, then updates by slug", async () => {
    const first = await cli("companions:import", "--file", example);
    expect(first).toMatchObject({ code: 0, out: "imported 2 companion(s): 2 new, 0 updated" });
    expect(await companionRows()).toEqual([
      { slug: "quill", name: "Quill", traits: ["thoughtful", "witty"], tagline: "Librarian of lost words", visibility: "public" },
      { slug: "sol", name: "Sol", traits: ["warm", "practical", "early-riser"], tagline: "Sunrise baker with flour on everything", visibility: "public" },
    ]);
    const persona = await db.db.select({ speakingStyle: companionPersonas.speakingStyle, backstory: companionPersonas.backstory }).from(companionPersonas);
    expect(persona.map((p) => p.backstory).sort()).toEqual(["", "Took over a grandmother's bakery at 24 and kept her sourdough starter alive ever since."]);

    const changed = await fileWith("update.json", [
      { slug: "sol", name: "Sol II", avatarUrl: "/media/avatars/sol.svg", persona: { systemPrompt: "new prompt" } },
    ]);
    expect(await cli("companions:import", changed)).toMatchObject({ code: 0, out: "imported 1 companion(s): 0 new, 1 updated" });
    const sol = (await companionRows()).find((c) => c.slug === "sol");
    expect(sol).toMatchObject({ name: "Sol II", traits: [], tagline: "" });
    const prompt = await db.db.select({ systemPrompt: companionPersonas.systemPrompt }).from(companionPersonas);
    expect(prompt.map((p) => p.systemPrompt)).toContain("new prompt");
  });

  it("reports every problem of a bad file with its field path, exits 64 and writes nothing", async () => {
    const before = await companionRows();
    const bad = await fileWith("bad.json", [
      { slug: "Not A Slug", name: "x", avatarUrl: "/a.svg", persona: { systemPrompt: "p" } },
      { slug: "ok-one", name: "", avatarUrl: "ftp://nope", persona: { systemPrompt: "" }, extra: true },
      { slug: "ok-one", name: "dup", avatarUrl: "/a.svg", traits: "not-an-array", persona: { systemPrompt: "p" } },
    ]);
    const res = await cli("companions:import", "--file", bad);
    expect(res.code).toBe(64);
    const lines = res.err.split("\n");
    expect(lines[0]).toMatch(/bad\.json is not a valid companions file/);
    for (const path of ["[0].slug:", "[1].name:", "[1].avatarUrl:", "[1].persona.systemPrompt:", "[1]:", "[2].traits:"]) {
      expect(lines.some((l) => l.trim().startsWith(path))).toBe(true);
    }
    expect(res.err).toMatch(/extra/);
    expect(await companionRows()).toEqual(before);
  });

  it("flags duplicate slugs, non-arrays, broken JSON, a missing file and a missing --file with exit 64, without opening the database", async () => {
    const opened = cli.opened();
    const entry = { slug: "twin", name: "Twin", avatarUrl: "/t.svg", persona: { systemPrompt: "p" } };
    const dup = await cli("companions:import", "--file", await fileWith("dup.json", [entry, entry]));
    expect(dup.code).toBe(64);
    expect(dup.err).toMatch(/\[1\]\.slug: duplicate slug "twin" \(also at \[0\]\)/);
    const notArray = await cli("companions:import", "--file", await fileWith("object.json", { slug: "x" }));
    expect(notArray).toMatchObject({ code: 64 });
    expect(notArray.err).toMatch(/\(file\): /);
    const broken = await cli("companions:import", "--file", await fileWith("broken.json", "[{"));
    expect(broken.code).toBe(64);
    expect(broken.err).toMatch(/is not valid JSON/);
    const missing = await cli("companions:import", "--file", join(dir, "nope.json"));
    expect(missing.code).toBe(64);
    expect(missing.err).toMatch(/Cannot read/);
    const noFlag = await cli("companions:import");
    expect(noFlag.code).toBe(64);
    expect(noFlag.err).toMatch(/--file \(or a file argument\) is required/);
    expect(cli.opened()).toBe(opened);
  });
});

describe("companions:import with a character card", () => {
  const card = (name: string) => new URL(`../../server/test/fixtures/cards/${name}`, import.meta.url).pathname;
  const cardRows = () =>
    db.db
      .select({
        slug: companions.slug,
        name: companions.name,
        ownerUserId: companions.ownerUserId,
        visibility: companions.visibility,
        greeting: companions.greeting,
        alternateGreetings: companions.alternateGreetings,
        traits: companions.traits,
      })
      .from(companions)
      .where(inArray(companions.slug, ["seraphina", "juniper", "kestrel-captain"]))
      .orderBy(asc(companions.slug));

  it("imports a V2 JSON card and a PNG card as public system companions, and updates by slug", async () => {
    expect(await cli("companions:import", card("seraphina-v2.json"))).toMatchObject({ code: 0, out: "imported 1 companion(s): 1 new, 0 updated" });
    expect(await cli("companions:import", "--file", card("juniper-chara.png"))).toMatchObject({ code: 0, out: "imported 1 companion(s): 1 new, 0 updated" });
    expect(await cli("companions:import", card("captain-v3.json"), "--slug", "kestrel-captain")).toMatchObject({ code: 0 });
    const rows = await cardRows();
    expect(rows.map((r) => [r.slug, r.name, r.ownerUserId, r.visibility])).toEqual([
      ["juniper", "Juniper", null, "public"],
      ["kestrel-captain", "Captain Mirela Voss", null, "public"],
      ["seraphina", "Seraphina", null, "public"],
    ]);
    expect(rows[2]?.alternateGreetings).toHaveLength(2);
    expect(rows[2]?.greeting).toMatch(/^\*You wake to the smell of herbs/);
    const personas = await db.db
      .select({ characterBook: companionPersonas.characterBook, personality: companionPersonas.personality, extensions: companionPersonas.extensions })
      .from(companionPersonas);
    const seraphina = personas.find((p) => p.personality === "caring, protective, wise, a little playful");
    expect(seraphina?.characterBook?.entries).toHaveLength(4);
    expect(seraphina?.extensions).toMatchObject({ creator: "Anonymous Creator" });

    // Again: the same slug is updated, nothing new.
    expect(await cli("companions:import", card("seraphina-v2.json"))).toMatchObject({ code: 0, out: "imported 1 companion(s): 0 new, 1 updated" });
    expect(await cardRows()).toHaveLength(3);
  });

  it("refuses a bad card with exit 64, naming the problem, and writes nothing", async () => {
    const before = () =>
      db.db.select({ slug: companions.slug, updatedAt: companions.updatedAt }).from(companions).where(isNull(companions.ownerUserId)).orderBy(asc(companions.slug));
    const systemBefore = await before();
    const wrongSpec = await cli("companions:import", await fileWith("wrong-spec.json", { spec: "chara_card_v9", data: { name: "X" } }));
    expect(wrongSpec.code).toBe(64);
    expect(wrongSpec.err).toMatch(/is not a valid character card: card\.spec: must be "chara_card_v2" or "chara_card_v3"/);
    const noName = await cli("companions:import", await fileWith("no-name.json", { spec: "chara_card_v3", spec_version: "3.0", data: { description: "x" } }));
    expect(noName.code).toBe(64);
    expect(noName.err).toMatch(/card\.data\.name/);
    const brokenPng = await cli("companions:import", await fileWith("broken.png", "\u0089PNG not really"));
    expect(brokenPng.code).toBe(64);
    expect(brokenPng.err).toMatch(/not a valid PNG/);
    const noSlug = await cli("companions:import", await fileWith("kanji.json", { spec: "chara_card_v2", data: { name: "日本" } }));
    expect(noSlug.code).toBe(64);
    expect(noSlug.err).toMatch(/give one with --slug/);
    // A person's own companion under the slug is never overwritten.
    const [owner] = await db.db.insert(users).values({ email: "owner@example.com", passwordHash: "x", displayName: "Owner" }).returning({ id: users.id });
    await db.db.insert(companions).values({ slug: "owned-one", name: "Mine", ownerUserId: owner?.id, visibility: "private" });
    const taken = await cli("companions:import", card("juniper-chara.png"), "--slug", "owned-one");
    expect(taken.code).not.toBe(0);
    expect(taken.err).toMatch(/belongs to a person's own companion/);
    expect(await db.db.select({ name: companions.name }).from(companions).where(eq(companions.slug, "owned-one"))).toEqual([{ name: "Mine" }]);
    const slugOnList = await cli("companions:import", example, "--slug", "x");
    expect(slugOnList.code).toBe(64);
    expect(await before()).toEqual(systemBefore);
  });
});
