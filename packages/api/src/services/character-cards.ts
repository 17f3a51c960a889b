/**
 * Character Card V2/V3 ⇄ companion (docs/character-cards.md); pure. Import: JSON text, an
 * object or PNG bytes → a checked card → our definition, the lorebook, and what we do not use
 * (`extensions`, kept for export). Export: our companion → a V3 card (and its V2 backfill for
 * the PNG's `chara` chunk). Import → export → import gives the same companion.
 */
import { DomainError } from "@companion/errors";
import {
  CARD_LIMITS,
  COMPANION_LIMITS,
  characterCard,
  companionDefinition,
  isSafeText,
  type CharacterBookInput,
  type CharacterCardInput,
  type CompanionDefinition,
} from "@companion/validators";
import { z } from "zod";
import { embedCardChunks, placeholderPng, readCardChunks } from "./card-png.ts";

/** The key of our own fields in a card's `data.extensions` (namespaced, as the V2 spec asks). */
const CARD_EXTENSION_KEY = "companion";

type CardDefinition = Omit<CompanionDefinition, "visibility" | "avatarKey">;

export interface ImportedCard {
  definition: CardDefinition;
  characterBook: CharacterBookInput | null;
  /** What the card carried that we do not map (persona.extensions). */
  extensions: Record<string, unknown>;
}

/** What an export reads of a companion (OwnCompanion has it all). */
export interface CardSource extends CardDefinition {
  slug: string;
  characterBook: Record<string, unknown> | null;
  extensions: Record<string, unknown>;
  updatedAt: Date;
}

export type CardFile = { format: "json"; card: string | Record<string, unknown> } | { format: "png"; dataBase64: string };

const bad = (field: string, message: string, cause?: unknown) =>
  new DomainError("BAD_REQUEST", `${field}: ${message}`, { field }, cause === undefined ? undefined : { cause });

const utf8 = new TextDecoder("utf-8", { fatal: true });
const byteLength = (s: string) => Buffer.byteLength(s, "utf8");
const MB = 1024 * 1024;

function parseJsonText(text: string, field: string): unknown {
  if (byteLength(text) > CARD_LIMITS.jsonBytes) throw bad(field, `the card may be at most ${CARD_LIMITS.jsonBytes / MB} MB of JSON`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw bad(field, `not valid JSON (${(err as Error).message})`, err);
  }
}

/** A card chunk's text: base64 of the UTF-8 JSON. */
function decodeChunk(text: string, keyword: string): unknown {
  const field = `dataBase64 (${keyword} chunk)`;
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) throw bad(field, "not base64");
  let json: string;
  try {
    json = utf8.decode(Buffer.from(compact, "base64"));
  } catch (err) {
    throw bad(field, "not base64 of UTF-8 text", err);
  }
  return parseJsonText(json, field);
}

/** Nesting within CARD_LIMITS.depth, and no key or string Postgres would refuse (NUL, lone surrogates); iterative. */
function assertStorableJson(value: unknown, field: string): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === "string") {
      if (!isSafeText(v)) throw bad(field, "the card has text with NUL characters or unpaired surrogates");
    } else if (v !== null && typeof v === "object") {
      if (depth >= CARD_LIMITS.depth) throw bad(field, `the card nests deeper than ${CARD_LIMITS.depth} levels`);
      for (const [k, child] of Object.entries(v)) {
        if (!Array.isArray(v) && !isSafeText(k)) throw bad(field, "the card has a key with NUL characters or unpaired surrogates");
        stack.push([child, depth + 1]);
      }
    }
  }
}

/** The card in a JSON file or PNG: still unchecked JSON. BAD_REQUEST for anything that is not one. */
function readCardFile(file: CardFile): { json: unknown; field: string } {
  if (file.format === "json") {
    if (typeof file.card === "string") return { json: parseJsonText(file.card, "card"), field: "card" };
    if (byteLength(JSON.stringify(file.card)) > CARD_LIMITS.jsonBytes) throw bad("card", `the card may be at most ${CARD_LIMITS.jsonBytes / MB} MB of JSON`);
    return { json: file.card, field: "card" };
  }
  const bytes = Buffer.from(file.dataBase64, "base64");
  if (bytes.length > CARD_LIMITS.pngBytes) throw bad("dataBase64", `the PNG may be at most ${CARD_LIMITS.pngBytes / MB} MB`);
  const chunks = readCardChunks(bytes);
  // V3 wins when both are there (the V2 `chara` is then a backfill).
  if (chunks.ccv3 !== undefined) return { json: decodeChunk(chunks.ccv3, "ccv3"), field: "dataBase64 (ccv3 chunk)" };
  if (chunks.chara !== undefined) return { json: decodeChunk(chunks.chara, "chara"), field: "dataBase64 (chara chunk)" };
  throw bad("dataBase64", "the PNG carries no character card (no `ccv3` or `chara` text chunk)");
}

const pathOf = (path: readonly PropertyKey[]) => path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");

/** Checks the card against the V2/V3 shape and our caps; the error names the card's field (`data.description`). */
export function checkCard(json: unknown, field: string): CharacterCardInput {
  assertStorableJson(json, field);
  const parsed = characterCard.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? pathOf(issue.path) : "(card)";
  throw bad(field === "card" ? `card.${where}` : `${field} ${where}`, issue?.message ?? "not a character card");
}

const ourExtension = z.object({
  tagline: z.string().default(""),
  speakingStyle: z.string().default(""),
  catchphrases: z.array(z.string()).default([]),
  neverSay: z.array(z.string()).default([]),
});

/** A card's tags as our traits: trimmed, 1–32 characters, no duplicates (any case), the first 12. */
export function tagsToTraits(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const traits: string[] = [];
  for (const tag of tags) {
    const t = tag.trim();
    if (t === "" || t.length > COMPANION_LIMITS.trait || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    traits.push(t);
    if (traits.length === COMPANION_LIMITS.traits) break;
  }
  return traits;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Where each of our fields comes from in a card, to name it in an error. */
const CARD_FIELD_OF: Record<string, string> = {
  name: "data.name",
  bio: "data.creator_notes",
  greeting: "data.first_mes",
  alternateGreetings: "data.alternate_greetings",
  systemPrompt: "data.system_prompt",
  backstory: "data.description",
  personality: "data.personality",
  scenario: "data.scenario",
  exampleDialogues: "data.mes_example",
  postHistoryInstructions: "data.post_history_instructions",
};

const EXPORT_DEFAULTS = [
  ["creator", '""'],
  ["character_version", '""'],
  ["group_only_greetings", "[]"],
] as const;

/** A checked card → our companion (docs/character-cards.md#mapping). */
export function cardToCompanion(card: CharacterCardInput): ImportedCard {
  const {
    name,
    description,
    personality,
    scenario,
    first_mes,
    mes_example,
    creator_notes,
    system_prompt,
    post_history_instructions,
    alternate_greetings,
    tags,
    character_book,
    extensions,
    // Rewritten on every export: keeping it would make a re-import differ.
    modification_date: _modified,
    ...rest
  } = card.data;
  const { [CARD_EXTENSION_KEY]: oursRaw, ...cardExtensions } = extensions;
  const ours = ourExtension.safeParse(oursRaw ?? {});
  // Not our shape: another application's key of the same name, kept as it is.
  if (!ours.success) cardExtensions[CARD_EXTENSION_KEY] = oursRaw;
  const own = ours.success ? ours.data : ourExtension.parse({});
  const traits = tagsToTraits(tags);
  const kept: Record<string, unknown> = { ...rest, extensions: cardExtensions };
  // What an export writes when there is nothing: not worth keeping, and a re-import must not differ.
  for (const [key, empty] of EXPORT_DEFAULTS) if (JSON.stringify(kept[key]) === empty) delete kept[key];
  // The card's own tags when ours are a cut of them, so that an export gives them back.
  if (!sameList(traits, tags)) kept.tags = tags;
  const parsed = companionDefinition.safeParse({
    name,
    tagline: own.tagline,
    bio: creator_notes,
    traits,
    greeting: first_mes,
    alternateGreetings: alternate_greetings,
    systemPrompt: system_prompt,
    speakingStyle: own.speakingStyle,
    backstory: description,
    personality,
    scenario,
    exampleDialogues: mes_example,
    postHistoryInstructions: post_history_instructions,
    catchphrases: own.catchphrases,
    neverSay: own.neverSay,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const ourField = String(issue?.path[0] ?? "");
    throw bad(CARD_FIELD_OF[ourField] ?? `data.extensions.${CARD_EXTENSION_KEY}.${pathOf(issue?.path ?? [])}`, issue?.message ?? "invalid");
  }
  const { visibility: _v, avatarKey: _a, ...definition } = parsed.data;
  return { definition, characterBook: character_book ?? null, extensions: kept };
}

/** Any card file → our companion; BAD_REQUEST naming the field for anything wrong. */
export function importCard(file: CardFile): ImportedCard {
  const { json, field } = readCardFile(file);
  return cardToCompanion(checkCard(json, field));
}

/** Our companion as a V3 card. */
/** A type, not an interface: the output schema's loose object wants an index signature. */
export type V3Card = {
  spec: "chara_card_v3";
  spec_version: "3.0";
  data: Record<string, unknown> & { name: string };
};

export function companionToCard(c: CardSource): V3Card {
  const { tags: cardTags, extensions: cardExtensions, creator, character_version, group_only_greetings, ...rest } = c.extensions;
  const tags = Array.isArray(cardTags) && cardTags.every((t) => typeof t === "string") && sameList(tagsToTraits(cardTags), c.traits) ? cardTags : c.traits;
  const extensions = typeof cardExtensions === "object" && cardExtensions !== null && !Array.isArray(cardExtensions) ? cardExtensions : {};
  return {
    spec: "chara_card_v3",
    spec_version: "3.0",
    data: {
      ...rest,
      name: c.name,
      description: c.backstory,
      personality: c.personality,
      scenario: c.scenario,
      first_mes: c.greeting,
      mes_example: c.exampleDialogues,
      creator_notes: c.bio,
      system_prompt: c.systemPrompt,
      post_history_instructions: c.postHistoryInstructions,
      alternate_greetings: c.alternateGreetings,
      tags,
      creator: typeof creator === "string" ? creator : "",
      character_version: typeof character_version === "string" ? character_version : "",
      group_only_greetings: Array.isArray(group_only_greetings) ? group_only_greetings : [],
      ...(c.characterBook ? { character_book: c.characterBook } : {}),
      extensions: {
        ...extensions,
        [CARD_EXTENSION_KEY]: { tagline: c.tagline, speakingStyle: c.speakingStyle, catchphrases: c.catchphrases, neverSay: c.neverSay },
      },
      modification_date: Math.floor(c.updatedAt.getTime() / 1000),
    },
  };
}

const V2_FIELDS = [
  "name",
  "description",
  "personality",
  "scenario",
  "first_mes",
  "mes_example",
  "creator_notes",
  "system_prompt",
  "post_history_instructions",
  "alternate_greetings",
  "character_book",
  "tags",
  "creator",
  "character_version",
  "extensions",
] as const;
const V1_FIELDS = ["name", "description", "personality", "scenario", "first_mes", "mes_example"] as const;

/** The V2 backfill of a V3 card for the PNG's `chara` chunk: V2's fields, and V1's at the top for old readers. */
function toV2Card(v3: V3Card): Record<string, unknown> {
  const pick = (keys: readonly string[]) => Object.fromEntries(keys.filter((k) => v3.data[k] !== undefined).map((k) => [k, v3.data[k]]));
  return { ...pick(V1_FIELDS), spec: "chara_card_v2", spec_version: "2.0", data: pick(V2_FIELDS) };
}

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64");

/** A PNG (the placeholder image) carrying the card in `ccv3` and its V2 backfill in `chara`. */
export function cardPng(c: CardSource): { bytes: Uint8Array; filename: string } {
  const v3 = companionToCard(c);
  const bytes = embedCardChunks(placeholderPng(c.name), { chara: base64Json(toV2Card(v3)), ccv3: base64Json(v3) });
  return { bytes, filename: `${c.slug}.png` };
}
