import { eq } from "drizzle-orm";
import { users } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

/** A person's language (users.language, BCP 47), "en" if the account is gone: the crisis reply's language (docs/safety.md). */
export async function findUserLanguage(db: Database, params: { userId: string }): Promise<string> {
  const [row] = await db.select({ language: users.language }).from(users).where(eq(users.id, params.userId));
  return row?.language ?? "en";
}
