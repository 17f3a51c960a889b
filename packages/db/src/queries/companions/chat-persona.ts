/**
 * The companion as a reply's prompt needs it: its persona (private fields) with my relationship
 * and my own profile, in one prepared statement on the chat path (queries/messages/exchange.ts).
 */
import { and, eq, sql } from "drizzle-orm";
import { DomainError, notFound } from "../../errors.ts";
import type { RelationshipSnapshot } from "../../relationship/model.ts";
import { companionPersonas, companions, relationshipStates, users, type CharacterBook } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import { personaPrivateTexts, privateTextsOf } from "./privacy.ts";
import { companionVisibleTo } from "./visibility.ts";

/** Everything private the prompt needs about the companion, plus my relationship with it. */
export interface ChatPersonaContext {
  name: string;
  traits: string[];
  systemPrompt: string;
  speakingStyle: string;
  backstory: string;
  personality: string;
  scenario: string;
  exampleDialogues: string;
  postHistoryInstructions: string;
  catchphrases: string[];
  neverSay: string[];
  fallbackLines: Record<string, string[]>;
  /** The card's lorebook (docs/character-cards.md#lorebook); null or absent for none. */
  characterBook?: CharacterBook | null;
  relationship: RelationshipSnapshot;
  /** The person's own profile (settings.update aboutMe), "" when unset: always in the prompt. */
  aboutMe: string;
  /** My display name, for the `{{user}}` of a character card's texts. */
  userName: string;
  /** Who may read the reply unguarded (null: a system companion, nobody); docs/anti-leak.md. */
  ownerUserId: string | null;
  /** Every private persona text, for the leak guard. */
  privateTexts: string[];
}

/**
 * The companion's persona (private prompt fields) and my relationship state, in one query.
 * NOT_FOUND when I may not see the companion; NOT_CONNECTED when I may but have not
 * connected to it. Callers must never return these fields to a client.
 */
export async function loadChatPersona(db: Database, params: { userId: string; companionId: string }): Promise<ChatPersonaContext> {
  const [row] = await db
    .select({
      name: companions.name,
      traits: companions.traits,
      systemPrompt: companionPersonas.systemPrompt,
      speakingStyle: companionPersonas.speakingStyle,
      backstory: companionPersonas.backstory,
      personality: companionPersonas.personality,
      scenario: companionPersonas.scenario,
      exampleDialogues: companionPersonas.exampleDialogues,
      postHistoryInstructions: companionPersonas.postHistoryInstructions,
      catchphrases: companionPersonas.catchphrases,
      neverSay: companionPersonas.neverSay,
      fallbackLines: companionPersonas.fallbackLines,
      characterBook: companionPersonas.characterBook,
      ownerUserId: companions.ownerUserId,
      privateTexts: personaPrivateTexts,
      connected: sql<boolean>`${relationshipStates.userId} is not null`,
      affection: relationshipStates.affection,
      trust: relationshipStates.trust,
      energy: relationshipStates.energy,
      interactionCount: relationshipStates.interactionCount,
      lastInteractionAt: relationshipStates.lastInteractionAt,
      aboutMe: sql<string | null>`(select ${users.aboutMe} from ${users} where ${users.id} = ${params.userId})`,
      userName: sql<string | null>`(select ${users.displayName} from ${users} where ${users.id} = ${params.userId})`,
    })
    .from(companions)
    .leftJoin(relationshipStates, and(eq(relationshipStates.companionId, companions.id), eq(relationshipStates.userId, params.userId)))
    .leftJoin(companionPersonas, eq(companionPersonas.companionId, companions.id))
    .where(and(eq(companions.id, params.companionId), companionVisibleTo(params.userId)))
    .prepare("chat_persona")
    .execute();
  if (!row) throw notFound("Companion");
  if (!row.connected || row.affection === null || row.trust === null || row.energy === null || row.interactionCount === null) {
    throw new DomainError("NOT_CONNECTED", "Connect to this companion first (companions.connect)", { field: "companionId" });
  }
  const { affection, trust, energy, interactionCount, lastInteractionAt, aboutMe, userName, ...persona } = row;
  return {
    name: persona.name,
    traits: persona.traits,
    // A companion without a persona row still chats: its profile traits and name carry it.
    systemPrompt: persona.systemPrompt ?? "",
    speakingStyle: persona.speakingStyle ?? "",
    backstory: persona.backstory ?? "",
    personality: persona.personality ?? "",
    scenario: persona.scenario ?? "",
    exampleDialogues: persona.exampleDialogues ?? "",
    postHistoryInstructions: persona.postHistoryInstructions ?? "",
    catchphrases: persona.catchphrases ?? [],
    neverSay: persona.neverSay ?? [],
    fallbackLines: persona.fallbackLines ?? {},
    characterBook: persona.characterBook ?? null,
    relationship: { affection, trust, energy, interactionCount, lastInteractionAt },
    aboutMe: aboutMe ?? "",
    userName: userName ?? "",
    ownerUserId: persona.ownerUserId,
    privateTexts: privateTextsOf(persona.privateTexts),
  };
}

