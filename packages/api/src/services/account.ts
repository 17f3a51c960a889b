/**
 * The account (docs/account.md): deletion, data export, profile, password reset. Procedures call
 * these; the rules for sessions and tokens are in @companion/auth, the rows in @companion/db.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { deleteAccount, issuePasswordReset, resetPassword } from "@companion/auth";
import {
  getProfile,
  insertDataExport,
  latestDataExport,
  listAccountFiles,
  updateProfile,
  withUser,
  type Database,
  type ProfileRecord,
} from "@companion/db";
import { DomainError } from "@companion/errors";
import type { JobQueue } from "@companion/jobs";
import type { AuthExportDataOutput, AuthUpdateProfileOutput } from "@companion/validators";
import { toWireDataExport, toWireProfile } from "../wire/account.ts";
import { minuteOfDay } from "../wire/settings.ts";
import type { Mailer } from "./mail.ts";
import type { MediaService } from "./media.ts";

interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface AccountServiceDeps {
  db: Database;
  jobs: JobQueue;
  media: MediaService;
  mailer: Mailer;
  /** The reset page; the token is appended as `token` (PASSWORD_RESET_URL). */
  passwordResetUrl: string;
  /**
   * auth.requestPasswordReset answers no sooner than this (default 400 ms), whether or not the
   * email has an account, so that its timing does not tell (docs/account.md#password-reset).
   */
  passwordResetMinMs?: number;
  log: { warn(obj: object, msg: string): void };
}

export type AccountService = ReturnType<typeof createAccountService>;

export interface ProfileUpdate {
  displayName?: string | undefined;
  avatarKey?: string | null | undefined;
  timeZone?: string | undefined;
  quietHours?: { start: string; end: string } | null | undefined;
  language?: string | undefined;
}

/** Keys per purge job (the queue's payload cap). */
const PURGE_BATCH = 1000;

export function createAccountService(deps: AccountServiceDeps) {
  const { db, jobs, media, mailer } = deps;
  const resetMinMs = deps.passwordResetMinMs ?? 400;

  const profileOut = async (p: ProfileRecord): Promise<AuthUpdateProfileOutput> =>
    toWireProfile(p, p.avatarKey ? await media.userAvatarUrl(p.avatarKey) : p.avatarUrl);

  const resetLink = (token: string) => {
    const url = new URL(deps.passwordResetUrl);
    url.searchParams.set("token", token);
    return url.toString();
  };

  return {
    /** auth.me: my profile; an account deleted since the token was signed is UNAUTHORIZED. */
    async profile(userId: string): Promise<AuthUpdateProfileOutput> {
      const row = await withUser(db, userId, (tx) => getProfile(tx, { userId })).catch((err: unknown) => {
        if (err instanceof DomainError && err.code === "NOT_FOUND") throw new DomainError("UNAUTHORIZED", "This account no longer exists");
        throw err;
      });
      return profileOut(row);
    },

    /** In my user scope (`ctx.db`). */
    async updateProfile(scoped: Database, userId: string, input: ProfileUpdate): Promise<AuthUpdateProfileOutput> {
      const { quietHours, ...rest } = input;
      const quiet = quietHours === undefined ? undefined : quietHours === null ? null : { startMinute: minuteOfDay(quietHours.start), endMinute: minuteOfDay(quietHours.end) };
      return profileOut(await updateProfile(scoped, { userId, ...rest, quiet }));
    },

    /** Deletes the account and everything of theirs (docs/account.md#deletion); the stored files go by job. */
    async deleteAccount(userId: string, password: string, meta: RequestMeta): Promise<void> {
      await deleteAccount(db, {
        userId,
        password,
        meta,
        beforeDelete: async (tx) => {
          const keys = await listAccountFiles(tx, { userId });
          for (let i = 0; i < keys.length; i += PURGE_BATCH) await jobs.enqueue(tx, "account.purge-files", { keys: keys.slice(i, i + PURGE_BATCH) });
        },
      });
    },

    /** A pending export and its job, in my user scope (`ctx.db`): one transaction. */
    async requestExport(scoped: Database, userId: string): Promise<AuthExportDataOutput> {
      const row = await insertDataExport(scoped, { userId });
      await jobs.enqueue(scoped, "exports.build", { exportId: row.id });
      return toWireDataExport(row, null);
    },

    /** My latest export, with a fresh 15-minute download URL while it is ready. */
    async exportStatus(scoped: Database, userId: string): Promise<AuthExportDataOutput | null> {
      const row = await latestDataExport(scoped, { userId });
      if (!row) return null;
      const live = row.status === "ready" && row.storageKey !== null && (row.expiresAt === null || row.expiresAt.getTime() > Date.now());
      return toWireDataExport(row, live && row.storageKey ? await media.exportUrl(row.id, row.storageKey) : null);
    },

    /**
     * Mails a reset link if the email has an account; answers the same, no sooner than
     * `passwordResetMinMs`, either way. A mail that cannot be sent is logged, not told.
     */
    async requestPasswordReset(email: string, meta: RequestMeta): Promise<void> {
      const started = Date.now();
      const issued = await issuePasswordReset(db, { email, meta });
      if (issued) {
        const link = resetLink(issued.token);
        try {
          await mailer.send({
            to: issued.email,
            userId: issued.userId,
            subject: "Reset your Companion password",
            text: [
              `Hi ${issued.displayName},`,
              "",
              "Someone (hopefully you) asked to reset the password of your Companion account.",
              "Open this link within 30 minutes to choose a new one:",
              "",
              link,
              "",
              "If it was not you, ignore this mail: your password stays as it is.",
            ].join("\n"),
            link,
          });
        } catch (err) {
          deps.log.warn({ err, mailer: mailer.kind }, "password reset mail not sent");
        }
      }
      const left = resetMinMs - (Date.now() - started);
      if (left > 0) await sleep(left);
    },

    async resetPassword(token: string, password: string, meta: RequestMeta): Promise<void> {
      await resetPassword(db, { token, password, meta });
    },
  };
}
