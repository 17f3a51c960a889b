/** Accounts and sessions: user:create, user:list, user:disable, user:enable, sessions:list, sessions:revoke, security:events. */
import { disableUser, enableUser, hashPassword, listUserSessions, normalizeEmail, revokeSessions } from "@companion/auth";
import {
  decodeCursor,
  findUser,
  insertUser,
  listSecurityEvents,
  listUsers,
  securityEventKinds,
  type SecurityEventKind,
  type SecurityEventRecord,
  type UserRef,
  type UserSummary,
} from "@companion/db";
import { z } from "zod";
import { defineCommand, intFlag, required, type ArgSpec, type Command } from "./command.ts";
import { readNewPassword } from "./password.ts";

const email = required()
  .transform(normalizeEmail)
  .pipe(z.email("must be an email address").max(254));

/** `<email|id>`: an address (normalized like at login) or a user id. */
export const userRef: z.ZodType<UserRef> = required().transform((value, ctx): UserRef => {
  if (value.includes("@")) {
    const parsed = email.safeParse(value);
    if (parsed.success) return { email: parsed.data };
  } else if (z.uuid().safeParse(value).success) {
    return { id: value.toLowerCase() };
  }
  ctx.addIssue({ code: "custom", message: `not an email address or a user id (uuid): ${value}` });
  return z.NEVER;
});

export const userArg: ArgSpec = { name: "email|id", description: "the user's email address or id" };

const cursor = z.string().refine((c) => {
  try {
    decodeCursor(c);
    return true;
  } catch {
    return false;
  }
}, "not a cursor printed by user:list or security:events");

const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;
const userJson = (u: UserSummary) => ({ ...u, createdAt: u.createdAt.toISOString(), disabledAt: isoOrNull(u.disabledAt) });

/** Every server refuses a revoked session's access tokens as soon as the revocation commits (docs/auth.md#revocation). */
const ACCESS_TOKEN_NOTE = "Their access tokens are refused from now on.";

const kindList: z.ZodType<SecurityEventKind[], string> = z
  .string()
  .transform((v) => v.split(",").map((k) => k.trim()).filter(Boolean))
  .pipe(z.array(z.enum(securityEventKinds, { error: `must be kinds among ${securityEventKinds.join(", ")}` })).min(1));

const eventJson = (e: SecurityEventRecord) => ({ ...e, createdAt: e.createdAt.toISOString() });

export const userCommands: Record<string, Command> = {
  "user:create": defineCommand({
    summary: "Create a user account; the password is typed at a hidden prompt, or piped in with --password-stdin",
    options: {
      email: { type: "string", value: "EMAIL", description: "the account's email address (required)" },
      name: { type: "string", value: "NAME", description: "display name (default: the part of the email before @)" },
      admin: { type: "boolean", description: "give the account the admin role" },
      "password-stdin": { type: "boolean", description: "read the password from the first line of standard input instead of prompting" },
    },
    input: z.object({
      email,
      name: z.string().trim().min(1, "must not be empty").max(80).optional(),
      admin: z.boolean().default(false),
      "password-stdin": z.boolean().default(false),
    }),
    prepare: async (input, ctx) => ({ ...input, password: await readNewPassword(ctx, input["password-stdin"]) }),
    run: async (db, input) => {
      await db.migrate();
      return insertUser(db.db, {
        email: input.email,
        passwordHash: await hashPassword(input.password),
        displayName: input.name ?? input.email.split("@")[0] ?? input.email,
        role: input.admin ? "admin" : "user",
      });
    },
    json: userJson,
    human: (u) => [JSON.stringify({ id: u.id, email: u.email, role: u.role })],
  }),

  "user:list": defineCommand({
    summary: "List users, newest first (keyset-paged)",
    options: {
      limit: { type: "string", value: "N", description: "users per page, 1 to 1000 (default 50)" },
      cursor: { type: "string", value: "CURSOR", description: "continue after the page that printed this cursor" },
      all: { type: "boolean", description: "every user, page after page (--limit sets the page size)" },
    },
    input: z.object({ limit: intFlag(1, 1000).default(50), cursor: cursor.optional(), all: z.boolean().default(false) }),
    run: async (db, input) => {
      await db.migrate();
      const items: UserSummary[] = [];
      let next = input.cursor ?? null;
      do {
        const page = await listUsers(db.db, { cursor: next ?? undefined, limit: input.limit });
        items.push(...page.items);
        next = page.nextCursor;
      } while (input.all && next);
      return { items, nextCursor: next };
    },
    json: (r) => r.items.map(userJson),
    human: (r) => [
      ...r.items.map((u) => `${u.id}  ${u.createdAt.toISOString()}  ${u.role.padEnd(5)}  ${u.email}  ${u.displayName}${u.disabledAt ? "  (disabled)" : ""}`),
      ...(r.nextCursor ? [`next: --cursor ${r.nextCursor}`] : []),
    ],
    hint: (r) => (r.nextCursor ? `more users: --cursor ${r.nextCursor} (or --all)` : undefined),
  }),

  "user:disable": defineCommand({
    summary: "Disable an account: login and refresh are refused, and all its sessions are revoked",
    args: [userArg],
    input: z.object({ args: z.tuple([userRef]) }),
    run: async (db, { args: [ref] }) => {
      await db.migrate();
      return disableUser(db.db, ref);
    },
    json: (r) => ({ ...userJson(r.user), revokedSessions: r.revokedSessions }),
    human: (r) => [`disabled ${r.user.email} (${r.user.id}); revoked ${r.revokedSessions} session(s). ${ACCESS_TOKEN_NOTE}`],
  }),

  "user:enable": defineCommand({
    summary: "Enable a disabled account again (its revoked sessions stay revoked)",
    args: [userArg],
    input: z.object({ args: z.tuple([userRef]) }),
    run: async (db, { args: [ref] }) => {
      await db.migrate();
      return enableUser(db.db, ref);
    },
    json: userJson,
    human: (u) => [`enabled ${u.email} (${u.id})`],
  }),

  "sessions:list": defineCommand({
    summary: "List a user's live sessions (refresh-token families), most recently refreshed first",
    args: [userArg],
    input: z.object({ args: z.tuple([userRef]) }),
    run: async (db, { args: [ref] }) => {
      await db.migrate();
      return listUserSessions(db.db, ref);
    },
    json: (sessions) =>
      sessions.map((s) => ({ ...s, startedAt: s.startedAt.toISOString(), lastRefreshedAt: s.lastRefreshedAt.toISOString(), expiresAt: s.expiresAt.toISOString() })),
    human: (sessions) =>
      sessions.length === 0
        ? ["no live sessions"]
        : sessions.map((s) => `${s.id}  started ${s.startedAt.toISOString()}  refreshed ${s.lastRefreshedAt.toISOString()}  ${s.ip ?? "-"}  ${s.userAgent ?? "-"}`),
  }),

  "sessions:revoke": defineCommand({
    summary: "Revoke all of a user's sessions, or one with --session; their refresh fails from then on",
    args: [userArg],
    options: { session: { type: "string", value: "ID", description: "only this session (an id from sessions:list)" } },
    input: z.object({ args: z.tuple([userRef]), session: z.uuid("must be a session id (uuid)").optional() }),
    run: async (db, { args: [ref], session }) => {
      await db.migrate();
      return revokeSessions(db.db, ref, session === undefined ? {} : { sessionId: session.toLowerCase() });
    },
    json: (r) => ({ userId: r.user.id, email: r.user.email, revokedSessions: r.revokedSessions }),
    human: (r) => [`revoked ${r.revokedSessions} session(s) of ${r.user.email}. ${ACCESS_TOKEN_NOTE}`],
  }),

  "security:events": defineCommand({
    summary: "A user's security events (logins failed and throttled, revocations, password changes, …), newest first",
    options: {
      user: { type: "string", value: "EMAIL|ID", description: "the user's email address or id (required)" },
      kind: { type: "string", value: "KIND[,KIND]", description: `only these kinds: ${securityEventKinds.join(", ")}` },
      limit: { type: "string", value: "N", description: "events per page, 1 to 1000 (default 50)" },
      cursor: { type: "string", value: "CURSOR", description: "continue after the page that printed this cursor" },
    },
    input: z.object({ user: userRef, kind: kindList.optional(), limit: intFlag(1, 1000).default(50), cursor: cursor.optional() }),
    run: async (db, input) => {
      await db.migrate();
      const user = await findUser(db.db, input.user);
      const page = await listSecurityEvents(db.db, { userId: user.id, kinds: input.kind, limit: input.limit, cursor: input.cursor });
      return { user, ...page };
    },
    json: (r) => r.items.map(eventJson),
    human: (r) => [
      ...(r.items.length === 0 ? [`no security events for ${r.user.email}`] : []),
      ...r.items.map((e) => `${e.createdAt.toISOString()}  ${e.kind.padEnd(16)}  ${e.ip ?? "-"}  ${e.userAgent ?? "-"}  ${JSON.stringify(e.detail)}`),
      ...(r.nextCursor ? [`next: --cursor ${r.nextCursor}`] : []),
    ],
    hint: (r) => (r.nextCursor ? `more events: --cursor ${r.nextCursor}` : undefined),
  }),
};
