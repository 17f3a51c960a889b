/**
 * What of a companion is private (docs/anti-leak.md): every persona text. The leak guard
 * (packages/ai/src/leak-guard) keeps these out of what anyone but the companion's owner reads;
 * for a system companion (no owner) that is everyone. Lorebook entries and greetings are not
 * private: they are said to the person by design.
 */
import { eq, sql } from "drizzle-orm";
import { companionPersonas, companions } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

/** The private texts of the persona joined in the query, as one text[] (nulls when it has no persona row). */
export const personaPrivateTexts = sql<(string | null)[] | null>`(array[${companionPersonas.systemPrompt}, ${companionPersonas.speakingStyle},
  ${companionPersonas.backstory}, ${companionPersonas.personality}, ${companionPersonas.scenario}, ${companionPersonas.exampleDialogues},
  ${companionPersonas.postHistoryInstructions}] || ${companionPersonas.catchphrases} || ${companionPersonas.neverSay})`;

/** The non-empty texts of a `personaPrivateTexts` column. */
export const privateTextsOf = (texts: readonly (string | null)[] | null): string[] =>
  (texts ?? []).filter((t): t is string => typeof t === "string" && t.trim() !== "");

export interface PersonaPrivacy {
  /** Who may read the persona unguarded; null: a system companion, private from everyone. */
  ownerUserId: string | null;
  privateTexts: string[];
}

/** A companion's owner and private texts, for guarding what a job writes from its persona; null when it is gone. */
export async function loadPersonaPrivacy(db: Database, params: { companionId: string }): Promise<PersonaPrivacy | null> {
  const [row] = await db
    .select({ ownerUserId: companions.ownerUserId, texts: personaPrivateTexts })
    .from(companions)
    .leftJoin(companionPersonas, eq(companionPersonas.companionId, companions.id))
    .where(eq(companions.id, params.companionId));
  return row ? { ownerUserId: row.ownerUserId, privateTexts: privateTextsOf(row.texts) } : null;
}
