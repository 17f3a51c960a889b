/**
 * `pnpm admin companions:import --file FILE.json`: the file format (docs/companions-import.md)
 * and its validation. A bad file is reported with one line per problem, each naming the
 * field by its path (e.g. `[2].persona.systemPrompt`), before anything is written.
 */
import { readFile } from "node:fs/promises";
import type { CompanionSeed } from "@companion/db";
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

/** Reads and validates an import file; throws ImportFileError with every problem found. */
export async function readCompanionImportFile(file: string): Promise<CompanionSeed[]> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (err) {
    throw new ImportFileError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ImportFileError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = companionImportFile.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    throw new ImportFileError([`${file} is not a valid companions file (${lines.length} problem(s)):`, ...lines].join("\n"));
  }
  return parsed.data;
}
