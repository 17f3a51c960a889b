/** auth.me / auth.updateProfile (docs/account.md#profile): the person's own profile. */
import { eq, sql } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { users } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import { assertAvatarUpload } from "../companions/authoring.ts";
import { updateUserSettings } from "../users.ts";

export interface ProfileRecord {
  id: string;
  email: string;
  displayName: string;
  role: "user" | "admin";
  createdAt: Date;
  avatarKey: string | null;
  avatarUrl: string | null;
  language: string;
  timeZone: string;
  quietStartMinute: number | null;
  quietEndMinute: number | null;
}

const profileColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  role: users.role,
  createdAt: users.createdAt,
  avatarKey: users.avatarKey,
  avatarUrl: users.avatarUrl,
  language: users.language,
  timeZone: users.timeZone,
  quietStartMinute: users.quietStartMinute,
  quietEndMinute: users.quietEndMinute,
};

export async function getProfile(db: Database, params: { userId: string }): Promise<ProfileRecord> {
  const [row] = await db.select(profileColumns).from(users).where(eq(users.id, params.userId));
  if (!row) throw notFound("User");
  return row;
}

/**
 * Changes the given fields only. The avatar must be an image I uploaded and finished uploading
 * (the companions' rule, `assertAvatarUpload`); time zone and quiet hours go through
 * `updateUserSettings`, as settings.update does. Run in my user scope.
 */
export async function updateProfile(
  db: Database,
  params: {
    userId: string;
    displayName?: string | undefined;
    avatarKey?: string | null | undefined;
    language?: string | undefined;
    timeZone?: string | undefined;
    quiet?: { startMinute: number; endMinute: number } | null | undefined;
  },
): Promise<ProfileRecord> {
  const { userId } = params;
  if (params.avatarKey) await assertAvatarUpload(db, userId, params.avatarKey);
  if (params.timeZone !== undefined || params.quiet !== undefined) {
    await updateUserSettings(db, { userId, timeZone: params.timeZone, quiet: params.quiet });
  }
  const patch = {
    ...(params.displayName !== undefined ? { displayName: params.displayName } : {}),
    ...(params.avatarKey !== undefined ? { avatarKey: params.avatarKey } : {}),
    ...(params.language !== undefined ? { language: params.language } : {}),
  };
  if (Object.keys(patch).length > 0) {
    const [row] = await db
      .update(users)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(users.id, userId))
      .returning({ id: users.id });
    if (!row) throw notFound("User");
  }
  return getProfile(db, { userId });
}
