/**
 * Character Card V2 (`chara_card_v2`) and V3 (`chara_card_v3`) as companions.importCard reads
 * them, and the shapes of importCard / exportCard (docs/character-cards.md). Lenient where real
 * cards are (a missing string is ""), strict on sizes: a field over our cap is refused with its
 * card path (`data.description`), never cut silently. Only `tags` are cut (to COMPANION_LIMITS),
 * and the card's full list is kept for export.
 */
import { z } from "zod";
import { isSafeText, SAFE_TEXT_MESSAGE, uuid } from "./common.ts";
import { COMPANION_LIMITS, companionVisibility, companionsCreateOutput } from "./companions.ts";

const MB = 1024 * 1024;

/** Sizes a card may have. JSON: the card's UTF-8 text; PNG: the file (its `chara`/`ccv3` chunk is JSON, so ≤ jsonBytes too). */
export const CARD_LIMITS = {
  jsonBytes: 1 * MB,
  pngBytes: 8 * MB,
  /** Nesting of the card's JSON (objects and arrays). */
  depth: 32,
  loreEntries: 200,
  loreKeys: 64,
  loreKey: 200,
  loreContent: 8_000,
  /** A card's `tags` before we cut them to COMPANION_LIMITS.traits. */
  tags: 200,
} as const;

const L = COMPANION_LIMITS;
const C = CARD_LIMITS;

const cardString = () => z.string().refine(isSafeText, SAFE_TEXT_MESSAGE);
const cardText = (max: number) => cardString().max(max, `at most ${max} characters`).default("");
const record = z.record(z.string(), z.unknown());

/** A lorebook entry: what we read is checked, everything else is kept as it is. */
const loreEntry = z.looseObject({
  keys: z.array(cardString().max(C.loreKey)).max(C.loreKeys).default([]),
  content: cardText(C.loreContent),
  extensions: record.default({}),
  enabled: z.boolean().default(true),
  insertion_order: z.number().finite().default(0),
  case_sensitive: z.boolean().nullish(),
  use_regex: z.boolean().nullish(),
  constant: z.boolean().nullish(),
  selective: z.boolean().nullish(),
  secondary_keys: z.array(cardString().max(C.loreKey)).max(C.loreKeys).nullish(),
  priority: z.number().finite().nullish(),
});

const characterBook = z.looseObject({
  name: cardString().nullish(),
  description: cardString().nullish(),
  scan_depth: z.number().int().min(0).max(1000).nullish(),
  token_budget: z.number().finite().nullish(),
  recursive_scanning: z.boolean().nullish(),
  extensions: record.default({}),
  entries: z.array(loreEntry).max(C.loreEntries, `at most ${C.loreEntries} entries`),
});
export type CharacterBookInput = z.output<typeof characterBook>;

/** `alternate_greetings` without blank ones, then at most COMPANION_LIMITS.alternateGreetings. */
const greetings = z
  .array(cardString().max(L.greeting, `at most ${L.greeting} characters`))
  .default([])
  .transform((list) => list.map((g) => g.trim()).filter((g) => g !== ""))
  .pipe(z.array(z.string()).max(L.alternateGreetings, `at most ${L.alternateGreetings} greetings`));

/** The card's `data`: the fields we map, checked; any other field passes through to be kept. */
const cardData = z.looseObject({
  name: cardString().trim().min(1, "the card has no name").max(L.name, `at most ${L.name} characters`),
  description: cardText(L.backstory),
  personality: cardText(L.personality),
  scenario: cardText(L.scenario),
  first_mes: cardText(L.greeting),
  mes_example: cardText(L.exampleDialogues),
  creator_notes: cardText(L.bio),
  system_prompt: cardText(L.systemPrompt),
  post_history_instructions: cardText(L.postHistoryInstructions),
  alternate_greetings: greetings,
  tags: z.array(cardString().max(200)).max(C.tags).default([]),
  character_book: characterBook.nullish(),
  extensions: record.default({}),
});

const CARD_SPECS = ["chara_card_v2", "chara_card_v3"] as const;

export const characterCard = z.looseObject({
  spec: z.enum(CARD_SPECS, { error: 'must be "chara_card_v2" or "chara_card_v3" (V1 cards, without `spec`, are not supported)' }),
  spec_version: z.string().max(20).optional(),
  data: cardData,
});
export type CharacterCardInput = z.output<typeof characterCard>;

/** What exportCard writes: a V3 card (looser on output: it is ours). */
const exportedCard = z.looseObject({
  spec: z.literal("chara_card_v3"),
  spec_version: z.literal("3.0"),
  data: z.looseObject({ name: z.string() }),
});

/** A base64 string whose decoded bytes may be CARD_LIMITS.pngBytes. */
const base64Png = z
  .string()
  .max(Math.ceil(C.pngBytes / 3) * 4 + 4, `the PNG may be at most ${C.pngBytes / MB} MB`)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64");

export const companionsImportCardInput = z.discriminatedUnion("format", [
  z.object({
    format: z.literal("json"),
    /** The card as an object, or as the JSON text of a .json file (at most CARD_LIMITS.jsonBytes: the service checks, naming the limit). */
    card: z.union([z.string(), record]),
    visibility: companionVisibility.default("private"),
  }),
  z.object({
    format: z.literal("png"),
    /** The PNG file, base64; its `ccv3` text chunk wins over `chara`. */
    dataBase64: base64Png,
    visibility: companionVisibility.default("private"),
  }),
]);

/** The companion created, as companions.create returns it. */
export const companionsImportCardOutput = companionsCreateOutput;

export const companionsExportCardInput = z.object({ companionId: uuid, format: z.enum(["json", "png"]) });
export const companionsExportCardOutput = z.discriminatedUnion("format", [
  z.object({ format: z.literal("json"), card: exportedCard }),
  z.object({ format: z.literal("png"), dataBase64: z.string(), contentType: z.literal("image/png"), filename: z.string() }),
]);
