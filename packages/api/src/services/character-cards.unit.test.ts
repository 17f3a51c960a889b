import { DomainError } from "@companion/errors";
import extractChunks from "png-chunks-extract";
import { describe, expect, it } from "vitest";
import { embedCardChunks, placeholderPng, readCardChunks } from "./card-png.ts";
import { cardToCompanion, checkCard, companionToCard, importCard, tagsToTraits } from "./character-cards.ts";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8").toString("base64");
const v3 = (data: Record<string, unknown>) => ({ spec: "chara_card_v3", spec_version: "3.0", data: { name: "Ada", ...data } });

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError && err.code === "BAD_REQUEST") return err.message;
    throw err;
  }
  throw new Error("expected BAD_REQUEST");
}

describe("card PNG chunks", () => {
  it("refuses a chunk whose declared length runs past the file, before any library allocates it", () => {
    const png = Buffer.from(placeholderPng("x"));
    png.writeUInt32BE(0xfffffff0, 8); // IHDR's length
    expect(badRequest(() => readCardChunks(png))).toMatch(/runs past the end of the file/);
  });

  it("embeds both chunks before IEND, replacing a card already there", () => {
    const once = embedCardChunks(placeholderPng("x"), { chara: b64({ old: 1 }), ccv3: b64({ old: 1 }) });
    const twice = embedCardChunks(once, { chara: b64({ v: 2 }), ccv3: b64({ v: 3 }) });
    expect(extractChunks(twice).map((c) => c.name)).toEqual(["IHDR", "IDAT", "tEXt", "tEXt", "IEND"]);
    expect(readCardChunks(twice)).toEqual({ chara: b64({ v: 2 }), ccv3: b64({ v: 3 }) });
  });
});

describe("cards ⇄ companions", () => {
  it("cuts tags to traits and gives the card's own tags back on export while the traits still match", () => {
    const tags = [" a ", "A", "b", "x".repeat(33), ...Array.from({ length: 20 }, (_, i) => `t${i}`)];
    expect(tagsToTraits(tags)).toEqual(["a", "b", ...Array.from({ length: 10 }, (_, i) => `t${i}`)]);
    const imported = cardToCompanion(checkCard(v3({ tags }), "card"));
    const source = { ...imported.definition, slug: "ada", characterBook: null, extensions: imported.extensions, updatedAt: new Date(0) };
    expect(companionToCard(source).data.tags).toEqual(tags);
    expect(companionToCard({ ...source, traits: ["changed"] }).data.tags).toEqual(["changed"]);
  });

  it("keeps another application's `companion` extension that is not ours", () => {
    const imported = cardToCompanion(checkCard(v3({ extensions: { companion: "someone else's" } }), "card"));
    expect(imported.extensions).toEqual({ extensions: { companion: "someone else's" } });
    expect(imported.definition.tagline).toBe("");
  });

  it("names the field of a bad card, deep nesting and over-long greetings included", () => {
    let deep: unknown = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(badRequest(() => importCard({ format: "json", card: v3({ extensions: deep }) }))).toMatch(/nests deeper than 32/);
    expect(badRequest(() => importCard({ format: "json", card: v3({ alternate_greetings: Array.from({ length: 11 }, () => "hi") }) }))).toMatch(
      /card\.data\.alternate_greetings: at most 10 greetings/,
    );
    expect(badRequest(() => importCard({ format: "json", card: v3({ name: "n".repeat(61) }) }))).toMatch(/card\.data\.name: at most 60/);
  });
});
