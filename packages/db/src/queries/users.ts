import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { DomainError, isUniqueViolation, notFound } from "../errors.ts";
import { decodeCursor, encodeCursor, toPage, type Page } from "../pagination.ts";
import { users } from "../schema/index.ts";
import type { Database } from "../types.ts";

export interface UserSummary {
  id: string;
  email: string;
  displayName: string;
  role: "user" | "admin";
  createdAt: Date;
  /** Set while the account is disabled (`pnpm admin user:disable`). */
  disabledAt: Date | null;
}

const summary = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  role: users.role,
  createdAt: users.createdAt,
  disabledAt: users.disabledAt,
};

/** Inserts a user whose email is already normalized and password already hashed. */
export async function insertUser(
  db: Database,
  values: { email: string; passwordHash: string; displayName: string; role?: "user" | "admin" },
): Promise<UserSummary> {
  try {
    const [row] = await db.insert(users).values(values).returning(summary);
    if (!row) throw new Error("insert into users returned no row");
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError("CONFLICT", "Email already registered", undefined, { cause: err });
    throw err;
  }
}

/** Newest first, keyset-paged on (created_at, id). */
export async function listUsers(db: Database, params: { cursor?: string | undefined; limit: number }): Promise<Page<UserSummary>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const rows = await db
    .select(summary)
    .from(users)
    .where(after ? or(lt(users.createdAt, after.createdAt), and(eq(users.createdAt, after.createdAt), lt(users.id, after.id))) : undefined)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, encodeCursor);
}

/** An operator names a user by id or by (already normalized) email. */
export type UserRef = { id: string } | { email: string };

/** The user an operator named; NOT_FOUND when there is none. */
export async function findUser(db: Database, ref: UserRef): Promise<UserSummary> {
  const [row] = await db
    .select(summary)
    .from(users)
    .where("id" in ref ? eq(users.id, ref.id) : eq(users.email, ref.email));
  if (!row) throw notFound("User");
  return row;
}

/**
 * Sets or clears `disabled_at`. Disabling an already disabled user keeps the first time, so
 * the column says since when the account has been off.
 */
export async function setUserDisabled(db: Database, userId: string, disabledAt: Date | null): Promise<UserSummary> {
  const [row] = await db
    .update(users)
    .set({ disabledAt: disabledAt === null ? null : sql`coalesce(${users.disabledAt}, ${sql.param(disabledAt, users.disabledAt)})`, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning(summary);
  if (!row) throw notFound("User");
  return row;
}

/** Whether the account still exists; run as the service role (outside `withUser`). */
export async function userExists(db: Database, userId: string): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  return row !== undefined;
}

export interface UserSettings {
  aboutMe: string;
  timeZone: string;
  /** Minutes after midnight in `timeZone`; both null when quiet hours are off. */
  quietStartMinute: number | null;
  quietEndMinute: number | null;
  proactiveEnabled: boolean;
}

const settingsColumns = {
  aboutMe: users.aboutMe,
  timeZone: users.timeZone,
  quietStartMinute: users.quietStartMinute,
  quietEndMinute: users.quietEndMinute,
  proactiveEnabled: users.proactiveEnabled,
};

/** My settings: about me, time zone, quiet hours, companions writing first. */
export async function getUserSettings(db: Database, params: { userId: string }): Promise<UserSettings> {
  const [row] = await db.select(settingsColumns).from(users).where(eq(users.id, params.userId));
  if (!row) throw notFound("User");
  return row;
}

/** Changes the given settings only; `quiet: null` turns quiet hours off. */
export async function updateUserSettings(
  db: Database,
  params: {
    userId: string;
    aboutMe?: string | undefined;
    timeZone?: string | undefined;
    quiet?: { startMinute: number; endMinute: number } | null | undefined;
    proactiveEnabled?: boolean | undefined;
  },
): Promise<UserSettings> {
  const [row] = await db
    .update(users)
    .set({
      ...(params.aboutMe !== undefined ? { aboutMe: params.aboutMe } : {}),
      ...(params.timeZone !== undefined ? { timeZone: params.timeZone } : {}),
      ...(params.quiet !== undefined
        ? { quietStartMinute: params.quiet?.startMinute ?? null, quietEndMinute: params.quiet?.endMinute ?? null }
        : {}),
      ...(params.proactiveEnabled !== undefined ? { proactiveEnabled: params.proactiveEnabled } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(users.id, params.userId))
    .returning(settingsColumns);
  if (!row) throw notFound("User");
  return row;
}
