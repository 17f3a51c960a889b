import { resolve } from "node:path";
import { hashPassword, normalizeEmail, PASSWORD_MAX, PASSWORD_MIN } from "@companion/auth";
import { aiCallStats, expireStories, insertUser, listUsers, pruneEvents, seedDemoContent, upsertCompanions, type DatabaseHandle } from "@companion/db";
import { formatAiStats, statsSince } from "./ai-stats.ts";
import { ImportFileError, readCompanionImportFile } from "./companions-import.ts";
import { eventRetentionMs, invocationDir } from "./env.ts";

export class UsageError extends Error {
  override name = "UsageError";
}

export interface CommandIO {
  out: (line: string) => void;
}

type Flags = Record<string, string | boolean | undefined>;

export interface Command {
  summary: string;
  usage: string;
  /** Commands that do not need migrations applied first (db:migrate does it itself). */
  run(db: DatabaseHandle, flags: Flags, io: CommandIO): Promise<void>;
}

const str = (flags: Flags, name: string, required = true): string | undefined => {
  const v = flags[name];
  if (typeof v === "string" && v.length > 0) return v;
  if (required) throw new UsageError(`--${name} is required`);
  return undefined;
};

export const commands: Record<string, Command> = {
  "db:migrate": {
    summary: "Apply pending migrations from drizzle/",
    usage: "db:migrate",
    run: async (db, _flags, io) => {
      await db.migrate();
      io.out(`migrations applied (${db.kind})`);
    },
  },
  "db:seed": {
    summary: "Create the demo companions, and stories for those without a live one (idempotent)",
    usage: "db:seed",
    run: async (db, _flags, io) => {
      await db.migrate();
      const seeded = await seedDemoContent(db.db);
      io.out(`seeded ${seeded.companions} companion(s), ${seeded.stories} story(ies)`);
    },
  },
  "stories:expire": {
    summary: "Soft-delete expired stories, hard-delete those soft-deleted over an hour ago",
    usage: "stories:expire",
    run: async (db, _flags, io) => {
      await db.migrate();
      const result = await expireStories(db.db);
      // Stored media is purged by the server/worker job (it holds the storage settings); that job
      // also collects the media of these stories again when it hard-deletes them.
      io.out(`soft-deleted ${result.softDeleted} expired story(ies), hard-deleted ${result.hardDeleted}`);
    },
  },
  "events:prune": {
    summary: "Delete realtime events older than the retention (EVENT_RETENTION_MS, default 7 days)",
    usage: "events:prune [--days N]",
    run: async (db, flags, io) => {
      const days = str(flags, "days", false);
      if (days !== undefined && !/^[1-9]\d{0,4}$/.test(days)) throw new UsageError("--days must be a whole number of days, at least 1");
      const retentionMs = days !== undefined ? Number(days) * 86_400_000 : eventRetentionMs();
      const olderThan = new Date(Date.now() - retentionMs);
      await db.migrate();
      const deleted = await pruneEvents(db.db, { olderThan });
      io.out(`deleted ${deleted} event(s) created before ${olderThan.toISOString()}`);
    },
  },
  "companions:import": {
    summary: "Create or update companions (profile and persona) by slug from a JSON file; see docs/companions-import.md",
    usage: "companions:import FILE.json   (or --file FILE.json)",
    run: async (db, flags, io) => {
      let seeds;
      try {
        seeds = await readCompanionImportFile(resolve(invocationDir(), str(flags, "file") ?? ""));
      } catch (err) {
        // A bad file is a usage error (exit 2): nothing was written.
        if (err instanceof ImportFileError) throw new UsageError(err.message);
        throw err;
      }
      await db.migrate();
      const { inserted, updated } = await upsertCompanions(db.db, seeds);
      io.out(`imported ${seeds.length} companion(s): ${inserted} new, ${updated} updated`);
    },
  },
  "user:create": {
    summary: "Create a user account",
    usage: "user:create --email EMAIL --password PASSWORD [--name NAME] [--admin]",
    run: async (db, flags, io) => {
      const email = normalizeEmail(str(flags, "email") ?? "");
      const password = str(flags, "password") ?? "";
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new UsageError(`--email is not a valid address: ${email}`);
      if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
        throw new UsageError(`--password must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters`);
      }
      await db.migrate();
      const user = await insertUser(db.db, {
        email,
        passwordHash: await hashPassword(password),
        displayName: str(flags, "name", false) ?? email.split("@")[0] ?? email,
        role: flags.admin === true ? "admin" : "user",
      });
      io.out(JSON.stringify({ id: user.id, email: user.email, role: user.role }));
    },
  },
  "user:list": {
    summary: "List users, newest first (keyset-paged)",
    usage: "user:list [--limit N] [--cursor CURSOR]",
    run: async (db, flags, io) => {
      const limit = Number(str(flags, "limit", false) ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit must be an integer from 1 to 1000");
      await db.migrate();
      const page = await listUsers(db.db, { cursor: str(flags, "cursor", false), limit });
      for (const u of page.items) io.out(`${u.id}  ${u.createdAt.toISOString()}  ${u.role.padEnd(5)}  ${u.email}  ${u.displayName}`);
      if (page.nextCursor) io.out(`next: --cursor ${page.nextCursor}`);
    },
  },
  "ai:stats": {
    summary: "Model calls per provider/model: outcomes, tokens, p50/p95 latency, cost",
    usage: "ai:stats [--days N]",
    run: async (db, flags, io) => {
      let window;
      try {
        window = statsSince(str(flags, "days", false), new Date());
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      await db.migrate();
      for (const line of formatAiStats(await aiCallStats(db.db, { since: window.since }), window)) io.out(line);
    },
  },
};
