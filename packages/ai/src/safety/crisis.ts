/**
 * The crisis reply and the safe reply, in the person's language (crisis-resources.json,
 * docs/safety.md). Written by us, never by a model: they are what a person in crisis reads.
 */
import resources from "./crisis-resources.json" with { type: "json" };

interface LocaleEntry {
  reply?: string;
  safeReply?: string;
  resources?: string[];
}

const table = resources as unknown as Record<string, LocaleEntry>;

/** The entries for a BCP 47 tag, most specific first: "pt-br" → pt-BR, pt, en. */
function entriesFor(language: string): LocaleEntry[] {
  const [lang = "en", region] = language.trim().split(/[-_]/);
  const tags = [region ? `${lang.toLowerCase()}-${region.toUpperCase()}` : undefined, lang.toLowerCase(), "en"];
  return tags.flatMap((tag) => (tag && table[tag] ? [table[tag]] : []));
}

const first = <K extends keyof LocaleEntry>(entries: LocaleEntry[], key: K): NonNullable<LocaleEntry[K]> => {
  const found = entries.find((e) => e[key] !== undefined)?.[key];
  if (found === undefined) throw new Error(`crisis-resources.json: no "${key}" for English`);
  return found;
};

/** The companion's caring answer to a message showing risk of self-harm, with the resources of the person's locale. */
export function crisisReply(language: string): string {
  const entries = entriesFor(language);
  // The reply text follows the language; the resources follow the most specific locale.
  return first(entries, "reply").replace("{resources}", first(entries, "resources").join("; "));
}

/** What a replaced reply says (a model reply the check stopped that was not about self-harm). */
export function safeReply(language: string): string {
  return first(entriesFor(language), "safeReply");
}
