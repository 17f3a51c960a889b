/**
 * `pnpm admin companions:import --file FILE`: the file format (docs/companions-import.md)
 * and its validation. A bad file is reported with one line per problem, each naming the
 * field by its path (e.g. `[2].persona.systemPrompt`), before anything is written.
 * A Character Card V2/V3 (.json, or a .png carrying one) is read too (docs/character-cards.md):
 * one system companion, under a slug made from its name unless `--slug` names one.
 */
import { readFile } from "node:fs/promises";
import { importCard, type ImportedCard } from "@companion/api/character-cards";
import type { CompanionSeed } from "@companion/db";
import { DomainError } from "@companion/errors";
import { z } from "zod";

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const text = (max: number) => z.string().trim().max(max);

const companionImportEntry = z.strictObject({
  slug: z.string().max(64).regex(SLUG, "lower-case letters, digits and single dashes, e.g. night-owl-luna"),
  name: text(80).min(1),
  tagline: text(160).default(""),
  bio: text(2000).default(""),
  traits: z.array(text(40).min(1)).max(12).default([]),
  avatarUrl: z
    .string()
    .max(2048)
    .refine((v) => v.startsWith("/") || /^https?:\/\/\S+$/.test(v), "an absolute http(s) URL or a path on this server starting with /"),
  persona: z.strictObject({
    systemPrompt: text(8000).min(1),
    speakingStyle: text(2000).default(""),
    backstory: text(4000).default(""),
  }),
});

const companionImportFile = z
  .array(companionImportEntry)
  .min(1, "the file lists no companions")
  .max(1000)
  .superRefine((entries, ctx) => {
    const first = new Map<string, number>();
    entries.forEach((e, i) => {
      const earlier = first.get(e.slug);
      if (earlier === undefined) first.set(e.slug, i);
      else ctx.addIssue({ code: "custom", path: [i, "slug"], message: `duplicate slug "${e.slug}" (also at [${earlier}])` });
    });
  });

/** `[2].persona.systemPrompt`; the file's root is an array, so paths start with an index. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(file)";
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
}

export class ImportFileError extends Error {
  override name = "ImportFileError";
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A card's name as a slug: "Captain Mirela Voss" → "captain-mirela-voss"; "" when nothing of it is ascii. */
function slugOfName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

/** A character card as a system companion (public, no owner). */
function cardSeed(file: string, card: ImportedCard, slug: string | undefined): CompanionSeed {
  const { definition: d, characterBook, extensions } = card;
  const chosen = slug ?? slugOfName(d.name);
  if (!SLUG.test(chosen) || chosen.length > 64) {
    throw new ImportFileError(`${file}: no slug can be made from the name ${JSON.stringify(d.name)}; give one with --slug (lower-case letters, digits and single dashes)`);
  }
  return {
    slug: chosen,
    name: d.name,
    tagline: d.tagline,
    bio: d.bio,
    traits: d.traits,
    avatarUrl: null,
    greeting: d.greeting,
    alternateGreetings: d.alternateGreetings,
    persona: {
      systemPrompt: d.systemPrompt,
      speakingStyle: d.speakingStyle,
      backstory: d.backstory,
      personality: d.personality,
      scenario: d.scenario,
      exampleDialogues: d.exampleDialogues,
      postHistoryInstructions: d.postHistoryInstructions,
      catchphrases: d.catchphrases,
      neverSay: d.neverSay,
      characterBook: characterBook as NonNullable<CompanionSeed["persona"]["characterBook"]> | null,
      extensions,
    },
  };
}

function readCard(file: string, source: Parameters<typeof importCard>[0], slug: string | undefined): CompanionSeed[] {
  try {
    return [cardSeed(file, importCard(source), slug)];
  } catch (err) {
    if (err instanceof DomainError) throw new ImportFileError(`${file} is not a valid character card: ${err.message}`);
    throw err;
  }
}

const isCard = (json: unknown): json is Record<string, unknown> =>
  typeof json === "object" && json !== null && !Array.isArray(json) && "spec" in json && "data" in json;

/**
 * Reads and validates an import file (our format, or a character card as JSON or PNG); throws
 * ImportFileError with every problem found. `slug`: the slug of a card's companion.
 */
export async function readCompanionImportFile(file: string, options: { slug?: string | undefined } = {}): Promise<CompanionSeed[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new ImportFileError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  if (bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) || file.toLowerCase().endsWith(".png")) {
    return readCard(file, { format: "png", dataBase64: bytes.toString("base64") }, options.slug);
  }
  const raw = bytes.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ImportFileError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (isCard(json)) return readCard(file, { format: "json", card: raw }, options.slug);
  if (options.slug !== undefined) throw new ImportFileError("--slug is for a character card; a companions file names each slug itself");
  const parsed = companionImportFile.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    throw new ImportFileError([`${file} is not a valid companions file (${lines.length} problem(s)):`, ...lines].join("\n"));
  }
  return parsed.data;
}
