import { sql } from "drizzle-orm";
import { companionPersonas, companions } from "../schema/index.ts";
import type { Database } from "../types.ts";
import { demoCompanions, type CompanionSeed } from "./demo-companions.ts";

export { demoCompanions, type CompanionSeed } from "./demo-companions.ts";

/**
 * Upserts companions by slug (profile and persona together, in one transaction).
 * Used by the demo seed and `pnpm admin companions:import`.
 */
export async function upsertCompanions(db: Database, seeds: CompanionSeed[]): Promise<{ inserted: number; updated: number }> {
  return db.transaction(async (tx) => {
    let inserted = 0;
    for (const c of seeds) {
      const [row] = await tx
        .insert(companions)
        .values({ slug: c.slug, name: c.name, tagline: c.tagline, bio: c.bio, traits: c.traits, avatarUrl: c.avatarUrl })
        .onConflictDoUpdate({
          target: companions.slug,
          set: { name: c.name, tagline: c.tagline, bio: c.bio, traits: c.traits, avatarUrl: c.avatarUrl, updatedAt: sql`now()` },
        })
        .returning({ id: companions.id, inserted: sql<boolean>`(xmax = 0)` });
      if (!row) throw new Error(`upsert of companion ${c.slug} returned nothing`);
      if (row.inserted) inserted++;
      await tx
        .insert(companionPersonas)
        .values({ companionId: row.id, ...c.persona })
        .onConflictDoUpdate({ target: companionPersonas.companionId, set: { ...c.persona, updatedAt: sql`now()` } });
    }
    return { inserted, updated: seeds.length - inserted };
  });
}

/** Demo content for the embedded default; idempotent (existing companions are left as they are). */
export async function seedDemoContent(db: Database): Promise<{ companions: number }> {
  const existing = await db.select({ slug: companions.slug }).from(companions);
  const have = new Set(existing.map((r) => r.slug));
  const missing = demoCompanions.filter((c) => !have.has(c.slug));
  if (missing.length === 0) return { companions: 0 };
  const { inserted } = await upsertCompanions(db, missing);
  return { companions: inserted };
}
