import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
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
  db.db.query.companions.findMany({ columns: { slug: true, name: true, traits: true, tagline: true, visibility: true }, orderBy: (c, { asc }) => asc(c.slug) });

describe("companions:import", () => {
  it("imports the documented example, then updates by slug", async () => {
    const first = await cli("companions:import", "--file", example);
    expect(first).toMatchObject({ code: 0, out: "imported 2 companion(s): 2 new, 0 updated" });
    expect(await companionRows()).toEqual([
      { slug: "quill", name: "Quill", traits: ["thoughtful", "witty"], tagline: "Librarian of lost words", visibility: "public" },
      { slug: "sol", name: "Sol", traits: ["warm", "practical", "early-riser"], tagline: "Sunrise baker with flour on everything", visibility: "public" },
    ]);
    const persona = await db.db.query.companionPersonas.findMany({ columns: { speakingStyle: true, backstory: true } });
    expect(persona.map((p) => p.backstory).sort()).toEqual(["", "Took over a grandmother's bakery at 24 and kept her sourdough starter alive ever since."]);

    const changed = await fileWith("update.json", [
      { slug: "sol", name: "Sol II", avatarUrl: "/media/avatars/sol.svg", persona: { systemPrompt: "new prompt" } },
    ]);
    expect(await cli("companions:import", changed)).toMatchObject({ code: 0, out: "imported 1 companion(s): 0 new, 1 updated" });
    const sol = (await companionRows()).find((c) => c.slug === "sol");
    expect(sol).toMatchObject({ name: "Sol II", traits: [], tagline: "" });
    const prompt = await db.db.query.companionPersonas.findMany({ columns: { systemPrompt: true } });
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
