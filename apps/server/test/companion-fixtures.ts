/**
 * Fixtures for the companion-domain HTTP tests: signed-in users (through the client, as an
 * app would), and companions with private personas written straight to the database, as
 * the admin import does. Persona strings carry a marker so tests can prove they never leak.
 */
import { randomBytes } from "node:crypto";
import { companionPersonas, companions, upsertCompanions, type CompanionSeed } from "@companion/db";
import type { CompanionClient } from "@companion/client";
import { isTRPCClientError } from "@companion/client";
import { uniqueEmail, type TestServer } from "./harness.ts";

export const PERSONA_MARKER = "PERSONA-PRIVATE";

export interface SignedInUser {
  id: string;
  api: CompanionClient;
}

export async function signUp(t: TestServer, name = "User"): Promise<SignedInUser> {
  const { api } = t.session();
  const session = await api.auth.register.mutate({ email: uniqueEmail(name.toLowerCase()), password: "password-1234", displayName: name });
  return { id: session.user.id, api };
}

const persona = (slug: string) => ({
  systemPrompt: `${PERSONA_MARKER} system prompt of ${slug}`,
  speakingStyle: `${PERSONA_MARKER} speaking style of ${slug}`,
  backstory: `${PERSONA_MARKER} backstory of ${slug}`,
});

/** Public companions with personas; returns their ids by slug. */
export async function createPublicCompanions(t: TestServer, slugs: string[]): Promise<Record<string, string>> {
  const seeds: CompanionSeed[] = slugs.map((slug) => ({
    slug,
    name: slug.toUpperCase(),
    tagline: `tagline of ${slug}`,
    bio: `bio of ${slug}`,
    traits: ["curious"],
    avatarUrl: `/media/avatars/${slug}.svg`,
    persona: persona(slug),
  }));
  await upsertCompanions(t.database.db, seeds);
  const rows = await t.database.db.select({ id: companions.id, slug: companions.slug }).from(companions);
  return Object.fromEntries(rows.filter((r) => slugs.includes(r.slug)).map((r) => [r.slug, r.id]));
}

/** A private companion owned by `ownerId`: visible to its owner only. */
export async function createPrivateCompanion(t: TestServer, ownerId: string): Promise<string> {
  const slug = `private-${randomBytes(4).toString("hex")}`;
  const [row] = await t.database.db
    .insert(companions)
    .values({ slug, name: "Private", ownerUserId: ownerId, visibility: "private" })
    .returning({ id: companions.id });
  if (!row) throw new Error("insert returned no companion");
  await t.database.db.insert(companionPersonas).values({ companionId: row.id, ...persona(slug) });
  return row.id;
}

/** The tRPC error code (and data) of a call that must fail. */
export async function failureOf(call: Promise<unknown> | (() => Promise<unknown>)) {
  try {
    await (typeof call === "function" ? call() : call);
  } catch (err) {
    if (isTRPCClientError(err)) return { code: err.data?.code, message: err.message, fieldErrors: err.data?.zodError?.fieldErrors ?? null };
    throw err;
  }
  throw new Error("expected the call to fail");
}
